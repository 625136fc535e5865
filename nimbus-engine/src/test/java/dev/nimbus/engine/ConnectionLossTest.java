package dev.nimbus.engine;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.storage.testing.TestStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The external server drops every connection while writes are in flight: writes fail with a
 * clear error or are acknowledged, every acknowledged write is there afterwards, verify passes,
 * and the engine keeps working once the provider reconnects.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = TestStorage.Kind.class, names = {"POSTGRES", "MYSQL"})
class ConnectionLossTest extends EngineFixture {
    @Parameter
    TestStorage.Kind provider;

    @Override
    TestStorage.Kind kind() {
        return provider;
    }

    @Test
    void acknowledgedWritesSurviveLostConnections() throws Exception {
        List<DocumentId> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refused = new AtomicInteger();
        long deadline = System.currentTimeMillis() + 30_000;
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int writer = w;
            writers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 120 && System.currentTimeMillis() < deadline; i++) {
                    try {
                        acknowledged.addAll(engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(),
                                obj("writer", writer, "i", i))).ids());
                    } catch (NimbusException e) {
                        assertThat(e.getMessage()).isNotBlank();
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        int killed = 0;
        for (int outage = 0; outage < 4; outage++) {
            Thread.sleep(150);
            killed += place.killConnections();
        }
        for (Thread t : writers) {
            t.join(60_000);
        }
        assertThat(killed).as("connections were broken").isPositive();
        System.out.printf("%s: %d acknowledged, %d refused, %d connections killed%n", provider,
                acknowledged.size(), refused.get(), killed);

        // Recovered: new writes work, and every acknowledged write is present after a restart.
        long recoverBy = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("after", true)));
                break;
            } catch (NimbusException e) {
                if (System.currentTimeMillis() > recoverBy) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        restart();
        for (DocumentId id : acknowledged) {
            assertThat(engine.get(tenant, ADMIN, T, id)).as("acknowledged %s", id).isPresent();
        }
        assertThat(engine.verify(tenant).problems()).isEmpty();
    }
}
