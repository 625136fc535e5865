package dev.nimbus.server.dynamodb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on the wire, all on ONE keep-alive connection: each gets DynamoDB's error shape and
 * status, and the same connection then serves a valid signed request.
 */
class DynamoDbWireErrorTest {
    @TempDir
    Path dir;
    DynamoDbServerFixture f;
    Socket socket;

    @BeforeEach
    void start() throws IOException {
        f = new DynamoDbServerFixture(dir);
        DynamoDbTableLifecycleTest.createOrders(f.client, "Wire");
        socket = new Socket("127.0.0.1", f.port());
        socket.setSoTimeout(20_000);
    }

    @AfterEach
    void stop() throws IOException {
        socket.close();
        f.close();
    }

    record Reply(int status, Map<String, String> headers, String body) {
    }

    private Reply send(String target, String body, Map<String, String> extraHeaders, boolean sign, String keyId, String secret)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:" + f.port());
        headers.put("Content-Type", "application/x-amz-json-1.0");
        if (target != null) {
            headers.put("X-Amz-Target", target);
        }
        if (sign) {
            SdkHttpFullRequest.Builder r = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).protocol("http")
                    .host("127.0.0.1").port(f.port()).encodedPath("/");
            headers.forEach((k, v) -> {
                if (!k.equals("Host")) {
                    r.putHeader(k, v);
                }
            });
            SignedRequest signed = AwsV4HttpSigner.create().sign(s -> s.request(r.build())
                    .payload(() -> new ByteArrayInputStream(bytes))
                    .identity(AwsCredentialsIdentity.create(keyId, secret))
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb"));
            signed.request().headers().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Host")) {
                    headers.put(k, v.get(0));
                }
            });
        }
        headers.putAll(extraHeaders);
        return exchange(headers, bytes);
    }

    private Reply exchange(Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        String status = line(in);
        Map<String, String> h = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int c = l.indexOf(':');
            h.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        byte[] b = in.readNBytes(Integer.parseInt(h.get("content-length")));
        return new Reply(Integer.parseInt(status.split(" ")[1]), h, new String(b, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private Reply signed(String op, String body) throws IOException {
        return send("DynamoDB_20120810." + op, body, Map.of(), true, DynamoDbServerFixture.KEY_ID, DynamoDbServerFixture.SECRET);
    }

    private static void assertError(Reply r, int status, String type, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().get("content-type")).isEqualTo("application/x-amz-json-1.0");
        assertThat(r.body()).startsWith("{\"__type\":\"" + type + "\"");
        if (message != null) {
            assertThat(r.body()).contains("\"message\":\"" + message);
        }
    }

    @Test
    void everyBadRequestGetsDynamoDbsErrorAndTheConnectionKeepsServing() throws IOException {
        String get = "{\"TableName\":\"Wire\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}";
        // Unknown target: without a signature DynamoDB asks for one; signed, the operation is unknown.
        assertError(send("DynamoDB_20120810.CreateBackup", "{}", Map.of(), false, null, null), 400,
                "com.amazon.coral.service#MissingAuthenticationTokenException", "Request is missing Authentication Token");
        assertError(signed("ExecuteStatement", "{}"), 400, "com.amazon.coral.service#UnknownOperationException", null);
        assertError(send("Nonsense", "{}", Map.of(), true, DynamoDbServerFixture.KEY_ID, DynamoDbServerFixture.SECRET), 400,
                "com.amazon.coral.service#UnknownOperationException", null);
        // Malformed JSON is refused before the signature is even looked at.
        assertError(send("DynamoDB_20120810.GetItem", "{\"TableName\": ", Map.of("Authorization", "AWS4-HMAC-SHA256 junk"),
                false, null, null), 400, "com.amazon.coral.service#SerializationException", null);
        assertError(send("DynamoDB_20120810.GetItem", get, Map.of(), false, null, null), 400,
                "com.amazon.coral.service#MissingAuthenticationTokenException", null);
        assertError(send("DynamoDB_20120810.GetItem", get, Map.of(), true, DynamoDbServerFixture.KEY_ID, "wrong-secret"), 400,
                "com.amazon.coral.service#InvalidSignatureException", "The request signature we calculated does not match");
        assertError(send("DynamoDB_20120810.GetItem", get, Map.of(), true, "NOSUCHKEY", "x"), 400,
                "com.amazon.coral.service#UnrecognizedClientException", "The security token included in the request is invalid.");
        assertError(send("DynamoDB_20120810.GetItem", get, Map.of("X-Amz-Date", "20200101T000000Z"), true,
                DynamoDbServerFixture.KEY_ID, DynamoDbServerFixture.SECRET), 400,
                "com.amazon.coral.service#InvalidSignatureException", null);
        assertError(send("DynamoDB_20120810.GetItem", get, Map.of("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), true,
                DynamoDbServerFixture.KEY_ID, DynamoDbServerFixture.SECRET), 400,
                "com.amazon.coral.service#InvalidSignatureException", null);
        // Signed but invalid: an oversized item, a broken expression, a missing table, a wrong JSON type.
        String big = "x".repeat(400 * 1024);
        assertError(signed("PutItem", "{\"TableName\":\"Wire\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"S\":\""
                + big + "\"}}}"), 400, "com.amazon.coral.validate#ValidationException", "Item size has exceeded the maximum allowed size");
        assertError(signed("PutItem", "{\"TableName\":\"Wire\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
                + "\"ConditionExpression\":\"attribute_exists(\"}"), 400, "com.amazon.coral.validate#ValidationException",
                "Invalid ConditionExpression: Syntax error; token: \\\"<EOF>\\\"");
        assertError(signed("GetItem", get.replace("Wire", "Nope")), 400,
                "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found");
        assertError(signed("GetItem", "{\"TableName\":42}"), 400, "com.amazon.coral.service#SerializationException", null);
        assertError(signed("GetItem", "{\"TableName\":\"Wire\",\"Key\":{\"pk\":{\"S\":\"a\",\"N\":\"1\"},\"sk\":{\"N\":\"1\"}}}"),
                400, "com.amazon.coral.validate#ValidationException", "Supplied AttributeValue has more than one datatypes set");

        // The same connection still serves a valid request, with the CRC the SDKs check.
        Reply ok = signed("PutItem", "{\"TableName\":\"Wire\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"S\":\"ok\"}}}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{}");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ok.body().getBytes(StandardCharsets.UTF_8));
        assertThat(ok.headers().get("x-amz-crc32")).isEqualTo(Long.toString(crc.getValue()));
        assertThat(ok.headers()).containsKey("x-amzn-requestid");
        Reply read = signed("GetItem", get);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains("\"v\":{\"S\":\"ok\"}");
    }

    @Test
    void aBodyOverSixteenMebibytesIs413AndTheConnectionGoesOn() throws IOException {
        byte[] huge = new byte[DynamoDbSettings.BODY_BYTES_MAX + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:" + f.port());
        headers.put("Content-Type", "application/x-amz-json-1.0");
        headers.put("X-Amz-Target", "DynamoDB_20120810.PutItem");
        Reply r = exchange(headers, huge);
        assertThat(r.status()).isEqualTo(413);
        Reply after = signed("ListTables", "{}");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body()).contains("\"TableNames\":[\"Wire\"]");
    }
}
