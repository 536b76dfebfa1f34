vcl 4.0;

acl purgers {
    "127.0.0.1";
}

backend web {
    .host = "10.1.2.3";
    .port = "8081";
    .first_byte_timeout = 30s;
}

backend api {
    .host = "10.1.2.4";
    .port = "8080";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        return (purge);
    }
    set req.http.host = "example.org";
}
