0package generated

p if {3, __local1__, __local2__} | {3, 4, __lo}
