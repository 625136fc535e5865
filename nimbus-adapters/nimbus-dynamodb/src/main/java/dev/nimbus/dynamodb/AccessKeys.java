package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which access key belongs to which tenant. Static keys come from configuration
 * ({@code --dynamodb-access-key}); managed keys are created, listed (secrets redacted) and revoked
 * at run time and persist in the engine: system tenant {@code _nimbus_ddb_system}, table
 * {@code _ddb_access_keys}, one document per key id. Static keys win on a lookup.
 */
public final class AccessKeys {
    public static final TenantId STORE_TENANT = new TenantId("_nimbus_ddb_system");
    static final TableName STORE = TableName.system("_ddb_access_keys");
    static final int KEY_ID_RANDOM_CHARS = 16;
    static final int SECRET_CHARS = 40;
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** One key: id, secret and the tenant it is bound to; {@code managed} if created at run time. */
    public record AccessKey(String accessKeyId, String secret, TenantId tenant, long createdMillis, boolean managed) {
        public AccessKey {
            if (accessKeyId == null || accessKeyId.isEmpty() || !accessKeyId.chars().allMatch(Character::isLetterOrDigit)) {
                throw new IllegalArgumentException("an access key id is 1 or more ASCII letters and digits");
            }
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("an access key needs a secret");
            }
            if (tenant.value().startsWith("_nimbus")) {
                throw new IllegalArgumentException("access keys cannot be bound to the system tenant " + tenant);
            }
        }

        /** The listing form: the secret is never shown again. */
        public Map<String, Object> redacted() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("accessKeyId", accessKeyId);
            m.put("tenant", tenant.value());
            m.put("secretAccessKey", secret.substring(0, Math.min(4, secret.length())) + "…");
            m.put("createdMillis", createdMillis);
            m.put("managed", managed);
            return m;
        }
    }

    /**
     * Parses {@code KEY_ID:SECRET:TENANT} (the flag and environment form).
     *
     * @throws IllegalArgumentException with a message for the user when malformed
     */
    public static AccessKey parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("a DynamoDB access key is KEY_ID:SECRET:TENANT, got '"
                    + (parts.length > 0 ? parts[0] : "") + ":…'");
        }
        return new AccessKey(parts[0], parts[1], new TenantId(parts[2]), 0, false);
    }

    private final Engine engine;
    private final Map<String, AccessKey> statics = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public AccessKeys(Engine engine, List<AccessKey> staticKeys) {
        this.engine = engine;
        for (AccessKey k : staticKeys) {
            statics.put(k.accessKeyId(), k);
        }
        if (!engine.tenantExists(STORE_TENANT)) {
            engine.createTenant(STORE_TENANT);
        }
    }

    public Optional<AccessKey> find(String accessKeyId) {
        AccessKey k = statics.get(accessKeyId);
        if (k != null) {
            return Optional.of(k);
        }
        if (accessKeyId.isEmpty() || !accessKeyId.chars().allMatch(Character::isLetterOrDigit)) {
            return Optional.empty();
        }
        return engine.get(STORE_TENANT, Principal.SYSTEM, STORE, idOf(accessKeyId)).map(AccessKeys::fromDocument);
    }

    /** Creates a managed key for {@code tenant}; the returned key is the only time the secret is shown. */
    public AccessKey create(TenantId tenant) {
        StringBuilder id = new StringBuilder("NIMBUS");
        for (int i = 0; i < KEY_ID_RANDOM_CHARS; i++) {
            id.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        StringBuilder secret = new StringBuilder();
        for (int i = 0; i < SECRET_CHARS; i++) {
            secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
        }
        AccessKey k = new AccessKey(id.toString(), secret.toString(), tenant, System.currentTimeMillis(), true);
        if (!engine.tenantExists(tenant)) {
            engine.createTenant(tenant);
        }
        Map<String, Value> f = new LinkedHashMap<>();
        f.put("accessKeyId", Value.of(k.accessKeyId()));
        f.put("secret", Value.of(k.secret()));
        f.put("tenant", Value.of(tenant.value()));
        f.put("createdMillis", Value.of(k.createdMillis()));
        engine.mutate(STORE_TENANT, Principal.SYSTEM, new Mutation.Insert(STORE, Optional.of(idOf(k.accessKeyId())),
                new Value.Obj(f)));
        return k;
    }

    /** Static and managed keys, secrets redacted, by id. */
    public List<Map<String, Object>> list() {
        List<AccessKey> all = new ArrayList<>(statics.values());
        for (Document d : engine.query(STORE_TENANT, Principal.SYSTEM, Query.all(STORE))) {
            all.add(fromDocument(d));
        }
        all.sort(Comparator.comparing(AccessKey::accessKeyId));
        return all.stream().map(AccessKey::redacted).toList();
    }

    /** Revokes a managed key; false when there is no such managed key (static keys live in the config). */
    public boolean revoke(String accessKeyId) {
        if (find(accessKeyId).filter(AccessKey::managed).isEmpty()) {
            return false;
        }
        engine.mutate(STORE_TENANT, Principal.SYSTEM, new Mutation.Delete(STORE, idOf(accessKeyId)));
        return true;
    }

    private static DocumentId idOf(String accessKeyId) {
        return DocumentId.derivedFrom(Value.of(accessKeyId));
    }

    private static AccessKey fromDocument(Document d) {
        Map<String, Value> f = d.fields().fields();
        return new AccessKey(((Value.Str) f.get("accessKeyId")).value(), ((Value.Str) f.get("secret")).value(),
                new TenantId(((Value.Str) f.get("tenant")).value()), ((Value.Int64) f.get("createdMillis")).value(), true);
    }
}
