package dev.nimbus.dynamodb;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier against requests signed by the AWS SDK's own signer (as a client signs them): the
 * fast path agrees with the SDK on every request shape tried, keeps one derived key per
 * (secret, date, region), and refuses what the SDK's signature would refuse.
 */
class SigV4VerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    private static final AccessKeys.AccessKey KEY = AccessKeys.parse("AKIDTEST:s3cr3t/with+chars:tenant1");
    private static final byte[] BODY = "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"}}}".getBytes(StandardCharsets.UTF_8);

    private final Map<String, AccessKeys.AccessKey> keys = new HashMap<>(Map.of(KEY.accessKeyId(), KEY));
    private final SigV4Verifier verifier = new SigV4Verifier(id -> Optional.ofNullable(keys.get(id)),
            Clock.fixed(NOW, ZoneOffset.UTC));

    /** Headers as the listener hands them over (lower-case names, first value) after the SDK signed them. */
    private static Map<String, String> signed(AccessKeys.AccessKey key, Instant at, String region, Map<String, String> extra,
                                              byte[] body) {
        SdkHttpFullRequest.Builder r = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).protocol("http")
                .host("127.0.0.1").port(8000).encodedPath("/");
        r.putHeader("Content-Type", "application/x-amz-json-1.0");
        r.putHeader("X-Amz-Target", "DynamoDB_20120810.GetItem");
        extra.forEach(r::putHeader);
        SignedRequest s = AwsV4HttpSigner.create().sign(x -> x.request(r.build())
                .payload(() -> new ByteArrayInputStream(body))
                .identity(AwsCredentialsIdentity.create(key.accessKeyId(), key.secret()))
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        Map<String, String> h = new HashMap<>();
        s.request().forEachHeader((name, values) -> h.putIfAbsent(name.toLowerCase(Locale.ROOT), values.getFirst()));
        h.putIfAbsent("host", "127.0.0.1:8000");
        return h;
    }

    @Test
    void acceptsSdkSignedRequestsOfManyShapesAndKeepsOneDerivedKeyPerScope() {
        Random random = new Random(42);
        String[] values = {"plain", "  leading", "trailing  ", "in   between", "tab\there", "a , b", "", "UPPER lower"};
        for (int i = 0; i < 200; i++) {
            Map<String, String> extra = new HashMap<>();
            int n = random.nextInt(4);
            for (int j = 0; j < n; j++) {
                extra.put("X-Custom-" + (char) ('a' + random.nextInt(6)), values[random.nextInt(values.length)]);
            }
            byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            Map<String, String> h = signed(KEY, NOW.minusSeconds(random.nextInt(600)), "us-east-1", extra, body);
            SigV4Verifier.Verified v = verifier.verify("POST", "/", h, body);
            assertThat(v.key()).isEqualTo(KEY);
            assertThat(v.region()).isEqualTo("us-east-1");
            // The fast path reached the SDK's signature by itself (the SDK fallback was not needed).
            assertThat(fastAgrees(h, body)).as("request %d with %s", i, extra).isTrue();
        }
        assertThat(verifier.signingKeyDerivations()).isEqualTo(1);
    }

    @Test
    void derivesAnotherKeyForAnotherDateRegionOrSecret() {
        verifier.verify("POST", "/", signed(KEY, NOW, "us-east-1", Map.of(), BODY), BODY);
        verifier.verify("POST", "/", signed(KEY, NOW, "eu-west-1", Map.of(), BODY), BODY);
        assertThat(verifier.signingKeyDerivations()).isEqualTo(2);
        // Just after midnight: a new scope date, a new key (the request is within the 15 minute window of a clock at 00:05).
        SigV4Verifier late = new SigV4Verifier(id -> Optional.ofNullable(keys.get(id)),
                Clock.fixed(Instant.parse("2026-11-25T00:05:00Z"), ZoneOffset.UTC));
        late.verify("POST", "/", signed(KEY, Instant.parse("2026-11-24T23:58:00Z"), "us-east-1", Map.of(), BODY), BODY);
        late.verify("POST", "/", signed(KEY, Instant.parse("2026-11-25T00:01:00Z"), "us-east-1", Map.of(), BODY), BODY);
        assertThat(late.signingKeyDerivations()).isEqualTo(2);
        // The key id re-bound to a new secret: the old secret's cached key must not let its signatures in.
        Map<String, String> oldSigned = signed(KEY, NOW, "us-east-1", Map.of(), BODY);
        AccessKeys.AccessKey rotated = AccessKeys.parse("AKIDTEST:another-secret:tenant1");
        keys.put(rotated.accessKeyId(), rotated);
        assertThatThrownBy(() -> verifier.verify("POST", "/", oldSigned, BODY))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.getMessage()).contains("signature we calculated"));
        verifier.verify("POST", "/", signed(rotated, NOW, "us-east-1", Map.of(), BODY), BODY);
        assertThat(verifier.signingKeyDerivations()).isEqualTo(3);
    }

    @Test
    void refusesTamperedRequestsLikeTheSdkSignature() {
        Map<String, String> h = signed(KEY, NOW, "us-east-1", Map.of("X-Custom-a", "v"), BODY);
        byte[] otherBody = "{\"TableName\":\"u\"}".getBytes(StandardCharsets.UTF_8);
        List<Runnable> tampered = new ArrayList<>();
        tampered.add(() -> verifier.verify("POST", "/", h, otherBody));
        tampered.add(() -> verifier.verify("POST", "/", with(h, "x-custom-a", "w"), BODY));
        tampered.add(() -> verifier.verify("POST", "/", with(h, "x-amz-target", "DynamoDB_20120810.DeleteItem"), BODY));
        tampered.add(() -> verifier.verify("POST", "/", with(h, "host", "127.0.0.1:8001"), BODY));
        tampered.add(() -> verifier.verify("PUT", "/", h, BODY));
        tampered.add(() -> verifier.verify("POST", "/other", h, BODY));
        String auth = h.get("authorization");
        char last = auth.charAt(auth.length() - 1);
        tampered.add(() -> verifier.verify("POST", "/", with(h, "authorization",
                auth.substring(0, auth.length() - 1) + (last == '0' ? '1' : '0')), BODY));
        for (Runnable r : tampered) {
            // (the SDK also signs x-amz-content-sha256, so another body fails that check first)
            assertThatThrownBy(r::run).isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.getMessage())
                    .containsAnyOf("signature we calculated", "'x-amz-content-sha256' header does not match"));
        }
        Map<String, String> noContentSha = new HashMap<>(h);
        noContentSha.remove("x-amz-content-sha256");
        assertThatThrownBy(() -> verifier.verify("POST", "/", noContentSha, otherBody)).isInstanceOfSatisfying(
                DynamoDbException.class, e -> assertThat(e.getMessage()).contains("signature we calculated"));
    }

    @Test
    void aRequestShapeTheFastPathDeclinesIsDecidedByTheSdkSigner() {
        // A client that lists user-agent among its signed headers: the SDK's signer leaves user-agent out
        // of the canonical request, so the fast path declines the request and the SDK decides, as before.
        Map<String, String> h = signed(KEY, NOW, "us-east-1", Map.of(), BODY);
        String auth = h.get("authorization").replace("SignedHeaders=", "SignedHeaders=user-agent;");
        Map<String, String> withAgent = with(with(h, "authorization", auth), "user-agent", "aws-sdk-java");
        assertThat(verifier.fastSignature("POST", "/", withAgent, SigV4Verifier.sha256Hex(BODY),
                List.of("content-type", "host", "user-agent"), KEY, "20261124", "us-east-1", h.get("x-amz-date"))).isNull();
        assertThat(verifier.verify("POST", "/", withAgent, BODY).key()).isEqualTo(KEY);
        assertThatThrownBy(() -> verifier.verify("POST", "/", with(withAgent, "content-type", "text/plain"), BODY))
                .isInstanceOf(DynamoDbException.class);
    }

    @Test
    void canonicalHeaderValuesAreTrimmedAndInnerWhitespaceCollapsed() {
        StringBuilder out = new StringBuilder();
        SigV4Verifier.appendTrimmed(out, " \t a  b\t\tc \r\n");
        assertThat(out.toString()).isEqualTo("a b c");
    }

    @Test
    void readsAmzDatesAsTheFormatterDoes() {
        assertThat(SigV4Verifier.parseAmzDate("20261124T060102Z")).isEqualTo(Instant.parse("2026-11-24T06:01:02Z"));
        assertThat(SigV4Verifier.parseAmzDate("20240229T235959Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59Z"));
        for (String bad : new String[] {"2026-11-24T06:01:02Z", "20261124T250000Z", "20261324T000000Z", "20261124T0601Z", "x"}) {
            assertThatThrownBy(() -> SigV4Verifier.parseAmzDate(bad)).isInstanceOf(java.time.DateTimeException.class);
        }
    }

    private boolean fastAgrees(Map<String, String> h, byte[] body) {
        String auth = h.get("authorization");
        String signature = auth.substring(auth.indexOf("Signature=") + "Signature=".length());
        String signedHeaders = auth.substring(auth.indexOf("SignedHeaders=") + "SignedHeaders=".length(), auth.indexOf(",", auth.indexOf("SignedHeaders=")));
        String date = h.get("x-amz-date");
        String fast = verifier.fastSignature("POST", "/", h, SigV4Verifier.sha256Hex(body), List.of(signedHeaders.split(";")),
                KEY, date.substring(0, 8), "us-east-1", date);
        return signature.equals(fast);
    }

    private static Map<String, String> with(Map<String, String> h, String name, String value) {
        Map<String, String> copy = new HashMap<>(h);
        copy.put(name, value);
        return copy;
    }
}
