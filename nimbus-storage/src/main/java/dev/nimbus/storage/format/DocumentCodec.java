package dev.nimbus.storage.format;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.storage.StorageLimits;

import java.nio.charset.StandardCharsets;

/**
 * The stored form of a document's user fields: canonical JSON (see ValueJson and
 * docs/storage-format.md). Shared by every provider so their files hold the same bytes.
 */
public final class DocumentCodec {
    private DocumentCodec() {
    }

    /** Encodes and enforces {@link StorageLimits#DOCUMENT_BYTES_MAX}. */
    public static String encodeBody(Value.Obj fields) {
        String json = ValueJson.write(fields);
        // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 unit.
        if ((long) json.length() * 3 > StorageLimits.DOCUMENT_BYTES_MAX) {
            int bytes = json.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > StorageLimits.DOCUMENT_BYTES_MAX) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "document is " + bytes
                        + " bytes encoded; the limit is " + StorageLimits.DOCUMENT_BYTES_MAX + " bytes");
            }
        }
        return json;
    }

    public static Value.Obj decodeBody(String json) {
        try {
            if (ValueJson.readStored(json) instanceof Value.Obj o) {
                return o;
            }
        } catch (NimbusException e) {
            // fall through: stored bytes that do not decode are corruption, not bad input
        }
        throw corrupt();
    }

    /** {@link #decodeBody(String)} of the body's UTF-8 bytes as stored (no string decoded first). */
    public static Value.Obj decodeBody(byte[] utf8) {
        try {
            if (ValueJson.readStored(utf8) instanceof Value.Obj o) {
                return o;
            }
        } catch (NimbusException e) {
            // fall through, as above
        }
        throw corrupt();
    }

    private static NimbusException corrupt() {
        return new NimbusException(ErrorCode.STORAGE_CORRUPTION, "a stored document body does not decode");
    }
}
