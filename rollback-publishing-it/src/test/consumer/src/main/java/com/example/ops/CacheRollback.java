package com.example.ops;

import dev.rollback.core.CheckResult;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.cli.RollbackCommand;

import java.nio.file.Files;
import java.nio.file.Path;

/** A user's own rollback program: put the previous cache configuration back. */
public final class CacheRollback {
    private CacheRollback() {
    }

    static RollbackPlan plan(Path config) {
        return Rollback.plan("cache-config-back")
                .precheck("previous config kept", c -> Files.exists(config.resolveSibling("cache.conf.previous"))
                        ? CheckResult.passed("previous config kept", "present", "present")
                        : CheckResult.failed("previous config kept", "missing", "present", "nothing to roll back to"))
                .capture("keep current config", c -> Files.copy(config, c.runDirectory().resolve("cache.conf.bad")))
                .step("put previous config back", c -> Files.copy(config.resolveSibling("cache.conf.previous"), config,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING))
                .verify("config is the previous one", c -> Files.readString(config).contains("ttl=60")
                        ? CheckResult.passed("config is the previous one", "ttl=60", "ttl=60")
                        : CheckResult.failed("config is the previous one", Files.readString(config).strip(), "ttl=60", "not switched"))
                .build();
    }

    /**
     * @param args the usual rollback flags, and --set CACHE_CONFIG=path
     */
    public static void main(String[] args) {
        System.exit(RollbackCommand.named("cache-rollback")
                .execute(args, o -> plan(Path.of(o.require("CACHE_CONFIG")))));
    }
}
