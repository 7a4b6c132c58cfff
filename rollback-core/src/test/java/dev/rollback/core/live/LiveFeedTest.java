package dev.rollback.core.live;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The live page's feed on its own: numbering, redaction, waiting readers, the plan and timeline it serves. */
class LiveFeedTest {
    private static final Instant T0 = Instant.parse("2026-11-30T05:00:00Z");

    private static RollbackPlan plan() {
        return Rollback.plan("feed-plan").description("back to the old release")
                .phase("Phase 1", Duration.ofMinutes(2), p -> p
                        .step("stop app", c -> { })
                        .step("restore", c -> { }))
                .build();
    }

    @Test
    void itemsAreNumberedFromOneInOrderAndReadersGetOnlyThoseAfterTheirLast() throws Exception {
        LiveFeed feed = new LiveFeed();
        PlannedStep step = plan().stepsAndHandlers().get(1);
        feed.journal(new JournalEvent.RunStarted("run-1", T0, "feed-plan", "fp", "alice", "bad release", "host", 1, 2));
        feed.waiting(step);
        feed.progress(step, "restored 10 of 20 rows");

        List<LiveFeed.Item> all = feed.after(0, 1000);
        assertThat(all).extracting(LiveFeed.Item::id).containsExactly(1, 2, 3);
        assertThat(all).extracting(LiveFeed.Item::type).containsExactly("journal", "waiting", "progress");
        assertThat(all.get(0).json()).contains("\"type\":\"RunStarted\"").contains("\"runId\":\"run-1\"");
        assertThat(all.get(1).json()).startsWith("{\"step\":\"restore\",\"index\":" + step.index() + ",\"time\":\"");
        assertThat(all.get(2).json()).startsWith("{\"index\":" + step.index() + ",\"step\":\"restore\",\"message\":\"restored 10 of 20 rows\",\"time\":\"");

        assertThat(feed.after(1, 1000)).extracting(LiveFeed.Item::id).containsExactly(2, 3);
        assertThat(feed.after(2, 1000)).extracting(LiveFeed.Item::id).containsExactly(3);
        // a reader that claims more than there is (a stale Last-Event-ID) waits, then gets nothing
        assertThat(feed.after(3, 50)).isEmpty();
        assertThat(feed.after(7, 50)).isEmpty();
    }

    @Test
    void aWaitingReaderWakesOnTheNextItemAndOnClose() throws Exception {
        LiveFeed feed = new LiveFeed();
        PlannedStep step = plan().stepsAndHandlers().get(0);
        CompletableFuture<List<LiveFeed.Item>> next = CompletableFuture.supplyAsync(() -> after(feed, 0, 60_000));
        Thread.sleep(100);
        feed.progress(step, "half way");
        assertThat(next.get(10, TimeUnit.SECONDS)).extracting(LiveFeed.Item::type).containsExactly("progress");

        assertThat(feed.isClosed()).isFalse();
        CompletableFuture<List<LiveFeed.Item>> none = CompletableFuture.supplyAsync(() -> after(feed, 1, 60_000));
        Thread.sleep(100);
        feed.close();
        assertThat(none.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(feed.isClosed()).isTrue();
        // once closed, a reader never waits: it gets what there is after its last
        assertThat(feed.after(0, 60_000)).hasSize(1);
        assertThat(feed.after(1, 60_000)).isEmpty();
    }

    @Test
    void aReaderTimesOutWithNothingWhenNothingComes() throws Exception {
        LiveFeed feed = new LiveFeed();
        long start = System.nanoTime();
        assertThat(feed.after(0, 200)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(feed.after(0, 0)).isEmpty();
    }

    @Test
    void secretsAreRedactedFromProgressLines() throws Exception {
        String password = "pw-Feed-98765";
        Secret.of(password);
        LiveFeed feed = new LiveFeed();
        feed.progress(plan().stepsAndHandlers().get(0), "connecting with " + password);
        String json = feed.after(0, 1000).get(0).json();
        assertThat(json).doesNotContain(password).contains("connecting with ");
    }

    @Test
    void planJsonNamesTheRunBeforeAndAfterThePlanIsKnown() {
        LiveFeed feed = new LiveFeed();
        // before anything is known the page gets an empty object (no run, no plan)
        assertThat(feed.planJson()).isEqualTo("{}");
        feed.journal(new JournalEvent.RunStarted("run-from-journal", T0, "feed-plan", "fp", "alice", "r", "host", 1, 2));
        assertThat(feed.planJson()).isEqualTo("{\"runId\":\"run-from-journal\"}");
        // a later event of another run does not rename the feed's run
        feed.journal(new JournalEvent.StepSkipped("other-run", T0, 1, "stop app", "resumed"));
        assertThat(feed.planJson()).contains("\"runId\":\"run-from-journal\"");

        RollbackPlan plan = plan();
        feed.start(plan, "run-2");
        String json = feed.planJson();
        assertThat(json).startsWith("{\"runId\":\"run-2\",\"plan\":\"feed-plan\",\"description\":\"back to the old release\",\"steps\":[")
                .contains("{\"index\":" + plan.stepsAndHandlers().get(0).index() + ",\"name\":\"stop app\",\"kind\":\"" + plan.stepsAndHandlers().get(0).kind().name()
                        + "\",\"phase\":\"Phase 1\",\"destructive\":false}")
                .contains("\"name\":\"restore\"");
        assertThat(json).contains("\"phases\":[").contains("\"budgetMs\":120000").contains("\"name\":\"Phase 1\"");
    }

    @Test
    void theTimelineIsEmptyBeforeTheFirstEventThenAnSvgWithThePlansPhases() {
        LiveFeed feed = new LiveFeed();
        assertThat(feed.timelineSvg()).isEmpty();
        feed.journal(new JournalEvent.RunStarted("run-3", T0, "feed-plan", "fp", "alice", "r", "host", 1, 2));
        feed.journal(new JournalEvent.StepStarted("run-3", T0.plusSeconds(1), plan().stepsAndHandlers().get(0).index(), "stop app",
                plan().stepsAndHandlers().get(0).kind(), 1));
        String withoutPlan = feed.timelineSvg();
        assertThat(withoutPlan).startsWith("<svg class=\"timeline\"").contains("stop app").doesNotContain("Phase 1");
        feed.start(plan(), "run-3");
        assertThat(feed.timelineSvg()).startsWith("<svg class=\"timeline\"").contains("Phase 1");
    }

    private static List<LiveFeed.Item> after(LiveFeed feed, int lastId, long timeout) {
        try {
            return feed.after(lastId, timeout);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
