package dev.nimbus.server.metrics;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.Engine;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The server's metrics in the Prometheus text format ({@code GET /metrics}): HTTP requests by
 * route family and status class with latency, and per loaded tenant the mutation path (batches,
 * requests, shed by admission, queued, applied head) and live subscriptions.
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Engine engine;
    private final Set<TenantId> registered = ConcurrentHashMap.newKeySet();
    /** Per route family, the timers by status class (index 1..5), each registered on first use. */
    private final java.util.Map<String, Timer[]> timers = new ConcurrentHashMap<>();

    public ServerMetrics(Engine engine) {
        this.engine = engine;
    }

    public void response(String routeFamily, int status, long nanos) {
        // Looked up once per route family and status class, not built on every request.
        int statusClass = status / 100;
        Timer[] byClass = timers.computeIfAbsent(routeFamily, f -> new Timer[10]);
        Timer t = statusClass >= 0 && statusClass < byClass.length ? byClass[statusClass] : null;
        if (t == null) {
            // Registering is idempotent: the registry hands back the timer of these tags.
            t = Timer.builder("nimbus_http_requests")
                    .tags(Tags.of("route_family", routeFamily, "status", statusClass + "xx"))
                    .register(registry);
            if (statusClass >= 0 && statusClass < byClass.length) {
                byClass[statusClass] = t;
            }
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The exposition text, with gauges for tenants loaded since the last scrape. */
    public String scrape() {
        for (TenantId t : engine.loadedTenants()) {
            if (registered.add(t)) {
                Tags tags = Tags.of("tenant", t.value());
                registry.more().counter("nimbus_commit_batches", tags, engine, e -> stat(e, t, 0));
                registry.more().counter("nimbus_commit_requests", tags, engine, e -> stat(e, t, 1));
                registry.more().counter("nimbus_admission_shed", tags, engine, e -> stat(e, t, 2));
                registry.gauge("nimbus_admission_queued", tags, engine, e -> stat(e, t, 3));
                registry.gauge("nimbus_journal_applied_head", tags, engine, e -> stat(e, t, 4));
                registry.gauge("nimbus_subscriptions", tags, engine, e -> stat(e, t, 5));
            }
        }
        return registry.scrape();
    }

    private static double stat(Engine e, TenantId t, int which) {
        if (!e.loadedTenants().contains(t)) {
            return Double.NaN; // dropped or closed since
        }
        var s = e.commitStats(t);
        return switch (which) {
            case 0 -> s.batches();
            case 1 -> s.requests();
            case 2 -> s.shed();
            case 3 -> s.queued();
            case 4 -> e.appliedSequence(t);
            default -> e.subscriptionCount(t);
        };
    }
}
