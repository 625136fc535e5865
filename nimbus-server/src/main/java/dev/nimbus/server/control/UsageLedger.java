package dev.nimbus.server.control;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage accounting as Nimbus documents it: monthly active users (the license status reports
 * {@code month}, {@code month_start_unix_ms}, {@code monthly_active_users}). A user is a
 * principal (kind and subject) seen acting on a tenant in a UTC calendar month; the same person
 * on two tenants counts twice, as tenants are separate applications. System work and anonymous
 * callers are not users. Only a user's first activity in a month is written; later activity is
 * answered from memory.
 */
public final class UsageLedger {
    /** Bounds the in-memory "already recorded this month" set; past it, the database answers. */
    static final int SEEN_CACHE_MAX = 100_000;

    private final ControlStore store;
    private final Clock clock;
    private final Set<Seen> seen = ConcurrentHashMap.newKeySet();
    private volatile SeenMonth seenMonth;

    /** The month {@link #seen} is about and the milliseconds it spans, [start, end): outside them the month is recomputed. */
    private record SeenMonth(YearMonth month, long startMillis, long endMillis) {
        static SeenMonth of(YearMonth month) {
            return new SeenMonth(month, monthStartMillis(month), monthStartMillis(month.plusMonths(1)));
        }

        boolean holds(long millis) {
            return millis >= startMillis && millis < endMillis;
        }
    }

    /** A user already recorded this month on a tenant. */
    private record Seen(TenantId tenant, Principal.Kind kind, String subject) {
    }

    UsageLedger(ControlStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.seenMonth = SeenMonth.of(currentMonth());
    }

    public YearMonth currentMonth() {
        return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    }

    /** Notes that {@code principal} acted on {@code tenant} now. */
    public void recordActive(TenantId tenant, Principal principal) {
        if (principal.kind() == Principal.Kind.SYSTEM || principal.kind() == Principal.Kind.ANONYMOUS) {
            return;
        }
        SeenMonth window = seenMonth;
        YearMonth month = window.holds(clock.millis()) ? window.month() : currentMonth();
        if (!month.equals(window.month())) {
            seen.clear();
            seenMonth = SeenMonth.of(month);
        }
        Seen key = new Seen(tenant, principal.kind(), principal.subject());
        if (seen.contains(key)) {
            return;
        }
        String subject = principal.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + principal.subject();
        long now = clock.millis();
        store.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO monthly_active_users (month, tenant_id,"
                    + " subject, first_seen_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, month.toString());
                s.setString(2, tenant.value());
                s.setString(3, subject);
                s.setLong(4, now);
                s.executeUpdate();
            }
            return null;
        });
        if (seen.size() < SEEN_CACHE_MAX) {
            seen.add(key);
        }
    }

    /** Active users in {@code month}, per tenant, in tenant id order. */
    public Map<String, Long> monthlyActiveUsersByTenant(YearMonth month) {
        return store.read(c -> {
            Map<String, Long> out = new TreeMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT tenant_id, COUNT(*) FROM monthly_active_users"
                    + " WHERE month = ? GROUP BY tenant_id")) {
                s.setString(1, month.toString());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.put(r.getString(1), r.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    /** Active users in {@code month} over all tenants. */
    public long monthlyActiveUsers(YearMonth month) {
        return monthlyActiveUsersByTenant(month).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The first millisecond of {@code month} (UTC). Usage rows outlive a deleted tenant: they are history. */
    static long monthStartMillis(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
