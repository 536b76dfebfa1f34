# Many API routes, each a rule keyed on the request path: exercises rule indexing.
package routes

import rego.v1

default allow := false

allow if {
	input.path == "/api/v1/res0"
	input.method == "GET"
	input.user in data.readers["res0"]
}

allow if {
	input.path == "/api/v1/res1"
	input.method == "GET"
	input.user in data.readers["res1"]
}

allow if {
	input.path == "/api/v1/res2"
	input.method == "GET"
	input.user in data.readers["res2"]
}

allow if {
	input.path == "/api/v1/res3"
	input.method == "GET"
	input.user in data.readers["res3"]
}

allow if {
	input.path == "/api/v1/res4"
	input.method == "GET"
	input.user in data.readers["res4"]
}

allow if {
	input.path == "/api/v1/res5"
	input.method == "GET"
	input.user in data.readers["res5"]
}

allow if {
	input.path == "/api/v1/res6"
	input.method == "GET"
	input.user in data.readers["res6"]
}

allow if {
	input.path == "/api/v1/res7"
	input.method == "GET"
	input.user in data.readers["res7"]
}

allow if {
	input.path == "/api/v1/res8"
	input.method == "GET"
	input.user in data.readers["res8"]
}

allow if {
	input.path == "/api/v1/res9"
	input.method == "GET"
	input.user in data.readers["res9"]
}

allow if {
	input.path == "/api/v1/res10"
	input.method == "GET"
	input.user in data.readers["res10"]
}

allow if {
	input.path == "/api/v1/res11"
	input.method == "GET"
	input.user in data.readers["res11"]
}

allow if {
	input.path == "/api/v1/res12"
	input.method == "GET"
	input.user in data.readers["res12"]
}

allow if {
	input.path == "/api/v1/res13"
	input.method == "GET"
	input.user in data.readers["res13"]
}

allow if {
	input.path == "/api/v1/res14"
	input.method == "GET"
	input.user in data.readers["res14"]
}

allow if {
	input.path == "/api/v1/res15"
	input.method == "GET"
	input.user in data.readers["res15"]
}

allow if {
	input.path == "/api/v1/res16"
	input.method == "GET"
	input.user in data.readers["res16"]
}

allow if {
	input.path == "/api/v1/res17"
	input.method == "GET"
	input.user in data.readers["res17"]
}

allow if {
	input.path == "/api/v1/res18"
	input.method == "GET"
	input.user in data.readers["res18"]
}

allow if {
	input.path == "/api/v1/res19"
	input.method == "GET"
	input.user in data.readers["res19"]
}

allow if {
	input.path == "/api/v1/res20"
	input.method == "GET"
	input.user in data.readers["res20"]
}

allow if {
	input.path == "/api/v1/res21"
	input.method == "GET"
	input.user in data.readers["res21"]
}

allow if {
	input.path == "/api/v1/res22"
	input.method == "GET"
	input.user in data.readers["res22"]
}

allow if {
	input.path == "/api/v1/res23"
	input.method == "GET"
	input.user in data.readers["res23"]
}

allow if {
	input.path == "/api/v1/res24"
	input.method == "GET"
	input.user in data.readers["res24"]
}

allow if {
	input.path == "/api/v1/res25"
	input.method == "GET"
	input.user in data.readers["res25"]
}

allow if {
	input.path == "/api/v1/res26"
	input.method == "GET"
	input.user in data.readers["res26"]
}

allow if {
	input.path == "/api/v1/res27"
	input.method == "GET"
	input.user in data.readers["res27"]
}

allow if {
	input.path == "/api/v1/res28"
	input.method == "GET"
	input.user in data.readers["res28"]
}

allow if {
	input.path == "/api/v1/res29"
	input.method == "GET"
	input.user in data.readers["res29"]
}

allow if {
	input.path == "/api/v1/res30"
	input.method == "GET"
	input.user in data.readers["res30"]
}

allow if {
	input.path == "/api/v1/res31"
	input.method == "GET"
	input.user in data.readers["res31"]
}

allow if {
	input.path == "/api/v1/res32"
	input.method == "GET"
	input.user in data.readers["res32"]
}

allow if {
	input.path == "/api/v1/res33"
	input.method == "GET"
	input.user in data.readers["res33"]
}

allow if {
	input.path == "/api/v1/res34"
	input.method == "GET"
	input.user in data.readers["res34"]
}

allow if {
	input.path == "/api/v1/res35"
	input.method == "GET"
	input.user in data.readers["res35"]
}

allow if {
	input.path == "/api/v1/res36"
	input.method == "GET"
	input.user in data.readers["res36"]
}

allow if {
	input.path == "/api/v1/res37"
	input.method == "GET"
	input.user in data.readers["res37"]
}

allow if {
	input.path == "/api/v1/res38"
	input.method == "GET"
	input.user in data.readers["res38"]
}

allow if {
	input.path == "/api/v1/res39"
	input.method == "GET"
	input.user in data.readers["res39"]
}

allow if {
	input.path == "/api/v1/res40"
	input.method == "GET"
	input.user in data.readers["res40"]
}

allow if {
	input.path == "/api/v1/res41"
	input.method == "GET"
	input.user in data.readers["res41"]
}

allow if {
	input.path == "/api/v1/res42"
	input.method == "GET"
	input.user in data.readers["res42"]
}

allow if {
	input.path == "/api/v1/res43"
	input.method == "GET"
	input.user in data.readers["res43"]
}

allow if {
	input.path == "/api/v1/res44"
	input.method == "GET"
	input.user in data.readers["res44"]
}

allow if {
	input.path == "/api/v1/res45"
	input.method == "GET"
	input.user in data.readers["res45"]
}

allow if {
	input.path == "/api/v1/res46"
	input.method == "GET"
	input.user in data.readers["res46"]
}

allow if {
	input.path == "/api/v1/res47"
	input.method == "GET"
	input.user in data.readers["res47"]
}

allow if {
	input.path == "/api/v1/res48"
	input.method == "GET"
	input.user in data.readers["res48"]
}

allow if {
	input.path == "/api/v1/res49"
	input.method == "GET"
	input.user in data.readers["res49"]
}

allow if {
	input.path == "/api/v1/res50"
	input.method == "GET"
	input.user in data.readers["res50"]
}

allow if {
	input.path == "/api/v1/res51"
	input.method == "GET"
	input.user in data.readers["res51"]
}

allow if {
	input.path == "/api/v1/res52"
	input.method == "GET"
	input.user in data.readers["res52"]
}

allow if {
	input.path == "/api/v1/res53"
	input.method == "GET"
	input.user in data.readers["res53"]
}

allow if {
	input.path == "/api/v1/res54"
	input.method == "GET"
	input.user in data.readers["res54"]
}

allow if {
	input.path == "/api/v1/res55"
	input.method == "GET"
	input.user in data.readers["res55"]
}

allow if {
	input.path == "/api/v1/res56"
	input.method == "GET"
	input.user in data.readers["res56"]
}

allow if {
	input.path == "/api/v1/res57"
	input.method == "GET"
	input.user in data.readers["res57"]
}

allow if {
	input.path == "/api/v1/res58"
	input.method == "GET"
	input.user in data.readers["res58"]
}

allow if {
	input.path == "/api/v1/res59"
	input.method == "GET"
	input.user in data.readers["res59"]
}

allow if {
	input.path == "/api/v1/res60"
	input.method == "GET"
	input.user in data.readers["res60"]
}

allow if {
	input.path == "/api/v1/res61"
	input.method == "GET"
	input.user in data.readers["res61"]
}

allow if {
	input.path == "/api/v1/res62"
	input.method == "GET"
	input.user in data.readers["res62"]
}

allow if {
	input.path == "/api/v1/res63"
	input.method == "GET"
	input.user in data.readers["res63"]
}

allow if {
	input.path == "/api/v1/res64"
	input.method == "GET"
	input.user in data.readers["res64"]
}

allow if {
	input.path == "/api/v1/res65"
	input.method == "GET"
	input.user in data.readers["res65"]
}

allow if {
	input.path == "/api/v1/res66"
	input.method == "GET"
	input.user in data.readers["res66"]
}

allow if {
	input.path == "/api/v1/res67"
	input.method == "GET"
	input.user in data.readers["res67"]
}

allow if {
	input.path == "/api/v1/res68"
	input.method == "GET"
	input.user in data.readers["res68"]
}

allow if {
	input.path == "/api/v1/res69"
	input.method == "GET"
	input.user in data.readers["res69"]
}

allow if {
	input.path == "/api/v1/res70"
	input.method == "GET"
	input.user in data.readers["res70"]
}

allow if {
	input.path == "/api/v1/res71"
	input.method == "GET"
	input.user in data.readers["res71"]
}

allow if {
	input.path == "/api/v1/res72"
	input.method == "GET"
	input.user in data.readers["res72"]
}

allow if {
	input.path == "/api/v1/res73"
	input.method == "GET"
	input.user in data.readers["res73"]
}

allow if {
	input.path == "/api/v1/res74"
	input.method == "GET"
	input.user in data.readers["res74"]
}

allow if {
	input.path == "/api/v1/res75"
	input.method == "GET"
	input.user in data.readers["res75"]
}

allow if {
	input.path == "/api/v1/res76"
	input.method == "GET"
	input.user in data.readers["res76"]
}

allow if {
	input.path == "/api/v1/res77"
	input.method == "GET"
	input.user in data.readers["res77"]
}

allow if {
	input.path == "/api/v1/res78"
	input.method == "GET"
	input.user in data.readers["res78"]
}

allow if {
	input.path == "/api/v1/res79"
	input.method == "GET"
	input.user in data.readers["res79"]
}

allow if {
	input.path == "/api/v1/res80"
	input.method == "GET"
	input.user in data.readers["res80"]
}

allow if {
	input.path == "/api/v1/res81"
	input.method == "GET"
	input.user in data.readers["res81"]
}

allow if {
	input.path == "/api/v1/res82"
	input.method == "GET"
	input.user in data.readers["res82"]
}

allow if {
	input.path == "/api/v1/res83"
	input.method == "GET"
	input.user in data.readers["res83"]
}

allow if {
	input.path == "/api/v1/res84"
	input.method == "GET"
	input.user in data.readers["res84"]
}

allow if {
	input.path == "/api/v1/res85"
	input.method == "GET"
	input.user in data.readers["res85"]
}

allow if {
	input.path == "/api/v1/res86"
	input.method == "GET"
	input.user in data.readers["res86"]
}

allow if {
	input.path == "/api/v1/res87"
	input.method == "GET"
	input.user in data.readers["res87"]
}

allow if {
	input.path == "/api/v1/res88"
	input.method == "GET"
	input.user in data.readers["res88"]
}

allow if {
	input.path == "/api/v1/res89"
	input.method == "GET"
	input.user in data.readers["res89"]
}

allow if {
	input.path == "/api/v1/res90"
	input.method == "GET"
	input.user in data.readers["res90"]
}

allow if {
	input.path == "/api/v1/res91"
	input.method == "GET"
	input.user in data.readers["res91"]
}

allow if {
	input.path == "/api/v1/res92"
	input.method == "GET"
	input.user in data.readers["res92"]
}

allow if {
	input.path == "/api/v1/res93"
	input.method == "GET"
	input.user in data.readers["res93"]
}

allow if {
	input.path == "/api/v1/res94"
	input.method == "GET"
	input.user in data.readers["res94"]
}

allow if {
	input.path == "/api/v1/res95"
	input.method == "GET"
	input.user in data.readers["res95"]
}

allow if {
	input.path == "/api/v1/res96"
	input.method == "GET"
	input.user in data.readers["res96"]
}

allow if {
	input.path == "/api/v1/res97"
	input.method == "GET"
	input.user in data.readers["res97"]
}

allow if {
	input.path == "/api/v1/res98"
	input.method == "GET"
	input.user in data.readers["res98"]
}

allow if {
	input.path == "/api/v1/res99"
	input.method == "GET"
	input.user in data.readers["res99"]
}

allow if {
	input.path == "/api/v1/res100"
	input.method == "GET"
	input.user in data.readers["res100"]
}

allow if {
	input.path == "/api/v1/res101"
	input.method == "GET"
	input.user in data.readers["res101"]
}

allow if {
	input.path == "/api/v1/res102"
	input.method == "GET"
	input.user in data.readers["res102"]
}

allow if {
	input.path == "/api/v1/res103"
	input.method == "GET"
	input.user in data.readers["res103"]
}

allow if {
	input.path == "/api/v1/res104"
	input.method == "GET"
	input.user in data.readers["res104"]
}

allow if {
	input.path == "/api/v1/res105"
	input.method == "GET"
	input.user in data.readers["res105"]
}

allow if {
	input.path == "/api/v1/res106"
	input.method == "GET"
	input.user in data.readers["res106"]
}

allow if {
	input.path == "/api/v1/res107"
	input.method == "GET"
	input.user in data.readers["res107"]
}

allow if {
	input.path == "/api/v1/res108"
	input.method == "GET"
	input.user in data.readers["res108"]
}

allow if {
	input.path == "/api/v1/res109"
	input.method == "GET"
	input.user in data.readers["res109"]
}

allow if {
	input.path == "/api/v1/res110"
	input.method == "GET"
	input.user in data.readers["res110"]
}

allow if {
	input.path == "/api/v1/res111"
	input.method == "GET"
	input.user in data.readers["res111"]
}

allow if {
	input.path == "/api/v1/res112"
	input.method == "GET"
	input.user in data.readers["res112"]
}

allow if {
	input.path == "/api/v1/res113"
	input.method == "GET"
	input.user in data.readers["res113"]
}

allow if {
	input.path == "/api/v1/res114"
	input.method == "GET"
	input.user in data.readers["res114"]
}

allow if {
	input.path == "/api/v1/res115"
	input.method == "GET"
	input.user in data.readers["res115"]
}

allow if {
	input.path == "/api/v1/res116"
	input.method == "GET"
	input.user in data.readers["res116"]
}

allow if {
	input.path == "/api/v1/res117"
	input.method == "GET"
	input.user in data.readers["res117"]
}

allow if {
	input.path == "/api/v1/res118"
	input.method == "GET"
	input.user in data.readers["res118"]
}

allow if {
	input.path == "/api/v1/res119"
	input.method == "GET"
	input.user in data.readers["res119"]
}

allow if {
	input.path == "/api/v1/res120"
	input.method == "GET"
	input.user in data.readers["res120"]
}

allow if {
	input.path == "/api/v1/res121"
	input.method == "GET"
	input.user in data.readers["res121"]
}

allow if {
	input.path == "/api/v1/res122"
	input.method == "GET"
	input.user in data.readers["res122"]
}

allow if {
	input.path == "/api/v1/res123"
	input.method == "GET"
	input.user in data.readers["res123"]
}

allow if {
	input.path == "/api/v1/res124"
	input.method == "GET"
	input.user in data.readers["res124"]
}

allow if {
	input.path == "/api/v1/res125"
	input.method == "GET"
	input.user in data.readers["res125"]
}

allow if {
	input.path == "/api/v1/res126"
	input.method == "GET"
	input.user in data.readers["res126"]
}

allow if {
	input.path == "/api/v1/res127"
	input.method == "GET"
	input.user in data.readers["res127"]
}

allow if {
	input.path == "/api/v1/res128"
	input.method == "GET"
	input.user in data.readers["res128"]
}

allow if {
	input.path == "/api/v1/res129"
	input.method == "GET"
	input.user in data.readers["res129"]
}

allow if {
	input.path == "/api/v1/res130"
	input.method == "GET"
	input.user in data.readers["res130"]
}

allow if {
	input.path == "/api/v1/res131"
	input.method == "GET"
	input.user in data.readers["res131"]
}

allow if {
	input.path == "/api/v1/res132"
	input.method == "GET"
	input.user in data.readers["res132"]
}

allow if {
	input.path == "/api/v1/res133"
	input.method == "GET"
	input.user in data.readers["res133"]
}

allow if {
	input.path == "/api/v1/res134"
	input.method == "GET"
	input.user in data.readers["res134"]
}

allow if {
	input.path == "/api/v1/res135"
	input.method == "GET"
	input.user in data.readers["res135"]
}

allow if {
	input.path == "/api/v1/res136"
	input.method == "GET"
	input.user in data.readers["res136"]
}

allow if {
	input.path == "/api/v1/res137"
	input.method == "GET"
	input.user in data.readers["res137"]
}

allow if {
	input.path == "/api/v1/res138"
	input.method == "GET"
	input.user in data.readers["res138"]
}

allow if {
	input.path == "/api/v1/res139"
	input.method == "GET"
	input.user in data.readers["res139"]
}

allow if {
	input.path == "/api/v1/res140"
	input.method == "GET"
	input.user in data.readers["res140"]
}

allow if {
	input.path == "/api/v1/res141"
	input.method == "GET"
	input.user in data.readers["res141"]
}

allow if {
	input.path == "/api/v1/res142"
	input.method == "GET"
	input.user in data.readers["res142"]
}

allow if {
	input.path == "/api/v1/res143"
	input.method == "GET"
	input.user in data.readers["res143"]
}

allow if {
	input.path == "/api/v1/res144"
	input.method == "GET"
	input.user in data.readers["res144"]
}

allow if {
	input.path == "/api/v1/res145"
	input.method == "GET"
	input.user in data.readers["res145"]
}

allow if {
	input.path == "/api/v1/res146"
	input.method == "GET"
	input.user in data.readers["res146"]
}

allow if {
	input.path == "/api/v1/res147"
	input.method == "GET"
	input.user in data.readers["res147"]
}

allow if {
	input.path == "/api/v1/res148"
	input.method == "GET"
	input.user in data.readers["res148"]
}

allow if {
	input.path == "/api/v1/res149"
	input.method == "GET"
	input.user in data.readers["res149"]
}

allow if {
	input.path == "/api/v1/res150"
	input.method == "GET"
	input.user in data.readers["res150"]
}

allow if {
	input.path == "/api/v1/res151"
	input.method == "GET"
	input.user in data.readers["res151"]
}

allow if {
	input.path == "/api/v1/res152"
	input.method == "GET"
	input.user in data.readers["res152"]
}

allow if {
	input.path == "/api/v1/res153"
	input.method == "GET"
	input.user in data.readers["res153"]
}

allow if {
	input.path == "/api/v1/res154"
	input.method == "GET"
	input.user in data.readers["res154"]
}

allow if {
	input.path == "/api/v1/res155"
	input.method == "GET"
	input.user in data.readers["res155"]
}

allow if {
	input.path == "/api/v1/res156"
	input.method == "GET"
	input.user in data.readers["res156"]
}

allow if {
	input.path == "/api/v1/res157"
	input.method == "GET"
	input.user in data.readers["res157"]
}

allow if {
	input.path == "/api/v1/res158"
	input.method == "GET"
	input.user in data.readers["res158"]
}

allow if {
	input.path == "/api/v1/res159"
	input.method == "GET"
	input.user in data.readers["res159"]
}

allow if {
	input.path == "/api/v1/res160"
	input.method == "GET"
	input.user in data.readers["res160"]
}

allow if {
	input.path == "/api/v1/res161"
	input.method == "GET"
	input.user in data.readers["res161"]
}

allow if {
	input.path == "/api/v1/res162"
	input.method == "GET"
	input.user in data.readers["res162"]
}

allow if {
	input.path == "/api/v1/res163"
	input.method == "GET"
	input.user in data.readers["res163"]
}

allow if {
	input.path == "/api/v1/res164"
	input.method == "GET"
	input.user in data.readers["res164"]
}

allow if {
	input.path == "/api/v1/res165"
	input.method == "GET"
	input.user in data.readers["res165"]
}

allow if {
	input.path == "/api/v1/res166"
	input.method == "GET"
	input.user in data.readers["res166"]
}

allow if {
	input.path == "/api/v1/res167"
	input.method == "GET"
	input.user in data.readers["res167"]
}

allow if {
	input.path == "/api/v1/res168"
	input.method == "GET"
	input.user in data.readers["res168"]
}

allow if {
	input.path == "/api/v1/res169"
	input.method == "GET"
	input.user in data.readers["res169"]
}

allow if {
	input.path == "/api/v1/res170"
	input.method == "GET"
	input.user in data.readers["res170"]
}

allow if {
	input.path == "/api/v1/res171"
	input.method == "GET"
	input.user in data.readers["res171"]
}

allow if {
	input.path == "/api/v1/res172"
	input.method == "GET"
	input.user in data.readers["res172"]
}

allow if {
	input.path == "/api/v1/res173"
	input.method == "GET"
	input.user in data.readers["res173"]
}

allow if {
	input.path == "/api/v1/res174"
	input.method == "GET"
	input.user in data.readers["res174"]
}

allow if {
	input.path == "/api/v1/res175"
	input.method == "GET"
	input.user in data.readers["res175"]
}

allow if {
	input.path == "/api/v1/res176"
	input.method == "GET"
	input.user in data.readers["res176"]
}

allow if {
	input.path == "/api/v1/res177"
	input.method == "GET"
	input.user in data.readers["res177"]
}

allow if {
	input.path == "/api/v1/res178"
	input.method == "GET"
	input.user in data.readers["res178"]
}

allow if {
	input.path == "/api/v1/res179"
	input.method == "GET"
	input.user in data.readers["res179"]
}

allow if {
	input.path == "/api/v1/res180"
	input.method == "GET"
	input.user in data.readers["res180"]
}

allow if {
	input.path == "/api/v1/res181"
	input.method == "GET"
	input.user in data.readers["res181"]
}

allow if {
	input.path == "/api/v1/res182"
	input.method == "GET"
	input.user in data.readers["res182"]
}

allow if {
	input.path == "/api/v1/res183"
	input.method == "GET"
	input.user in data.readers["res183"]
}

allow if {
	input.path == "/api/v1/res184"
	input.method == "GET"
	input.user in data.readers["res184"]
}

allow if {
	input.path == "/api/v1/res185"
	input.method == "GET"
	input.user in data.readers["res185"]
}

allow if {
	input.path == "/api/v1/res186"
	input.method == "GET"
	input.user in data.readers["res186"]
}

allow if {
	input.path == "/api/v1/res187"
	input.method == "GET"
	input.user in data.readers["res187"]
}

allow if {
	input.path == "/api/v1/res188"
	input.method == "GET"
	input.user in data.readers["res188"]
}

allow if {
	input.path == "/api/v1/res189"
	input.method == "GET"
	input.user in data.readers["res189"]
}

allow if {
	input.path == "/api/v1/res190"
	input.method == "GET"
	input.user in data.readers["res190"]
}

allow if {
	input.path == "/api/v1/res191"
	input.method == "GET"
	input.user in data.readers["res191"]
}

allow if {
	input.path == "/api/v1/res192"
	input.method == "GET"
	input.user in data.readers["res192"]
}

allow if {
	input.path == "/api/v1/res193"
	input.method == "GET"
	input.user in data.readers["res193"]
}

allow if {
	input.path == "/api/v1/res194"
	input.method == "GET"
	input.user in data.readers["res194"]
}

allow if {
	input.path == "/api/v1/res195"
	input.method == "GET"
	input.user in data.readers["res195"]
}

allow if {
	input.path == "/api/v1/res196"
	input.method == "GET"
	input.user in data.readers["res196"]
}

allow if {
	input.path == "/api/v1/res197"
	input.method == "GET"
	input.user in data.readers["res197"]
}

allow if {
	input.path == "/api/v1/res198"
	input.method == "GET"
	input.user in data.readers["res198"]
}

allow if {
	input.path == "/api/v1/res199"
	input.method == "GET"
	input.user in data.readers["res199"]
}
