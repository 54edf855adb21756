package dev.pactum.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsScrapeTest {
    @Test
    void sumsEveryLabelSetOfAMetricAndSkipsComments() {
        MetricsScrape m = MetricsScrape.parse("""
                # HELP pactum_http_requests_seconds per route
                # TYPE pactum_http_requests_seconds summary
                pactum_http_requests_seconds_count{route="POST /api/v1/transactions",status="201"} 120.0
                pactum_http_requests_seconds_count{route="POST /api/v1/transactions/{gid}/submit",status="200"} 30.0
                pactum_http_requests_seconds_sum{route="POST /api/v1/transactions",status="201"} 0.5
                pactum_transactions_unfinished 3.0
                weird_line_without_value
                """);
        assertThat(m.get("pactum_http_requests_seconds_count")).isEqualTo(150.0);
        assertThat(m.get("pactum_transactions_unfinished")).isEqualTo(3.0);
        assertThat(m.get("pactum_store_fsyncs_total")).isNaN();
        MetricsScrape later = MetricsScrape.parse("pactum_http_requests_seconds_count{route=\"x\"} 200.0\n");
        assertThat(later.delta(m, "pactum_http_requests_seconds_count")).isEqualTo(50.0);
        // a timer created after the first reading counts from 0; one missing from the later reading is unknown
        MetricsScrape empty = MetricsScrape.parse("");
        assertThat(later.delta(empty, "pactum_http_requests_seconds_count")).isEqualTo(200.0);
        assertThat(empty.delta(m, "pactum_http_requests_seconds_count")).isNaN();
    }

    @Test
    void readsThisProcessesCountersFromProc() {
        ProcessCounters c = ProcessCounters.read(ProcessHandle.current().pid());
        assertThat(c.known()).isTrue();
        assertThat(c.contextSwitches()).isPositive();
        assertThat(ProcessCounters.read(Long.MAX_VALUE).known()).isFalse();
    }
}
