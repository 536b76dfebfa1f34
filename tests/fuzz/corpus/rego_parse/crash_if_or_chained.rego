0package generated

p := x if TA{
	ur|query.encode_object({"a": "c=b+1"}, x)
}
