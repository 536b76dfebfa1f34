// H2Client.java - the JDK's own HTTP/2 client (java.net.http, a third
// implementation beside curl/nghttp2 and node:http2) against gatehouse: 100
// concurrent decisions on one HttpClient, then prints the negotiated version
// and how many answered 200 with the expected result ("HTTP_2 100").
// Usage: java -Djavax.net.ssl.trustStore=... H2Client.java BASE_URL
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public class H2Client {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String user = i % 2 == 0 ? "alice" : "bob";
            HttpRequest req = HttpRequest.newBuilder(URI.create(args[0] + "/v1/data/authz/allow"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"user\":\"" + user + "\"}}"))
                    .build();
            pending.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        int good = 0;
        String version = "none";
        for (int i = 0; i < pending.size(); i++) {
            HttpResponse<String> resp = pending.get(i).get();
            version = resp.version().toString();
            String want = i % 2 == 0 ? "\"result\":true" : "\"result\":false";
            if (resp.statusCode() == 200 && resp.body().contains(want)) good++;
        }
        System.out.println(version + " " + good);
    }
}
