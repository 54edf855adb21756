package dev.pactum.core;

import dev.pactum.core.spi.CallResult;

import java.time.Clock;

/** Engines for tests that need the wiring but no store (tables, registry). */
final class TestEngines {
    private TestEngines() {
    }

    static Engine withoutStore() {
        return new Engine(null, call -> CallResult.noAnswer("no participants in this test"),
                CoordinatorConfig.builder().nodeId("test").build(), new CoordinatorMetrics(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), Clock.systemUTC());
    }
}
