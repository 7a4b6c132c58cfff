package dev.rollback.process;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A list, then one of its items: made by {@link Http#follow(HttpCheck, String, String)}. */
final class HttpFollowCheck implements Check {
    private final HttpCheck list;
    private final String jsonField;
    private final String itemUrl;

    HttpFollowCheck(HttpCheck list, String jsonField, String itemUrl) {
        this.list = Objects.requireNonNull(list, "list");
        this.jsonField = Objects.requireNonNull(jsonField, "jsonField");
        this.itemUrl = Objects.requireNonNull(itemUrl, "itemUrl");
        if (!itemUrl.contains("{}")) {
            throw new IllegalArgumentException("the item URL needs {} where the id goes, such as http://app/api/accounts/{}; got " + itemUrl);
        }
        Http.parse(itemUrl.replace("{}", "id"));
    }

    @Override
    public String name() {
        return "GET " + itemUrl.replace("{}", "<" + jsonField + ">") + " from " + list.name();
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of(name()).param("list", list.uri()).param("id", jsonField + " of its JSON answer")
                .param("item", itemUrl);
        if (list.bearerOrNull() != null) {
            d = d.param("bearer", list.bearerOrNull());
        }
        return d.command("GET " + list.uri()).command("GET " + itemUrl.replace("{}", "<" + jsonField + ">"));
    }

    @Override
    public CheckResult check(StepContext context) throws InterruptedException {
        HttpCheck.Answer answer = list.answer();
        if (!answer.result().isPassed()) {
            return CheckResult.failed(name(), answer.result().measured(), "the list, then one item", answer.result().message());
        }
        String id;
        try {
            id = HttpCheck.jsonField(answer.body(), jsonField);
        } catch (IOException e) {
            id = null;
        }
        if (id == null || id.isBlank()) {
            return CheckResult.failed(name(), "no " + jsonField, "an item in the list", "GET " + list.uri() + " answered no " + jsonField
                    + " (an empty list, or not JSON): there is no item to open");
        }
        HttpCheck item = list.at(Http.parse(itemUrl.replace("{}", URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))));
        CheckResult r = item.once();
        return r.isPassed() ? CheckResult.passed(name(), r.measured() + " for " + jsonField + " = " + id, "status 200")
                : CheckResult.failed(name(), r.measured(), "status 200", r.message());
    }
}
