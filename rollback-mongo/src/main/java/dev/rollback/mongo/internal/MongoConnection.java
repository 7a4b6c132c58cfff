package dev.rollback.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.rollback.core.Redactor;
import dev.rollback.mongo.MongoServerException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How to reach a server: the connection string and the timeouts. Opens one client per step and
 * wraps every driver exception once, into {@link MongoServerException}.
 *
 * @param uri                    the connection string (may hold a password; never logged)
 * @param serverSelectionTimeout how long to wait for a usable server before failing
 */
public record MongoConnection(String uri, Duration serverSelectionTimeout) {

    /** @return the connection string with the password masked */
    public String redactedUri() {
        return Redactor.redact(uri);
    }

    /**
     * Runs work with a client, closing it afterwards; driver exceptions become {@link MongoServerException}.
     *
     * @param what        what is being done, for the message ("restoring nextcrm")
     * @param stateIfFail the state left behind if it fails ("nothing was changed")
     * @param work        the work
     * @param <T>         its result
     * @return the result
     */
    public <T> T call(String what, String stateIfFail, Function<MongoClient, T> work) {
        try (MongoClient client = open()) {
            return work.apply(client);
        } catch (MongoException e) {
            throw wrap(what, stateIfFail, e);
        }
    }

    /**
     * Wraps a driver exception.
     *
     * @param what        what was being done
     * @param stateIfFail the state left behind
     * @param e           the driver exception
     * @return the wrapped exception
     */
    public MongoServerException wrap(String what, String stateIfFail, MongoException e) {
        if (e instanceof MongoTimeoutException) {
            return new MongoServerException("Could not reach MongoDB at " + redactedUri() + " within "
                    + serverSelectionTimeout.toMillis() + " ms (server selection timeout) while " + what + ". " + stateIfFail
                    + ". Fix: check host, port, credentials and that the server runs; raise serverSelectionTimeout(...) on a slow network. "
                    + "Driver said: " + firstLine(e.getMessage()), e);
        }
        return new MongoServerException("MongoDB at " + redactedUri() + " refused " + what + " (error " + e.getCode() + ": "
                + firstLine(e.getMessage()) + "). " + stateIfFail + ".", e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 400 ? line.substring(0, 400) + "..." : line;
    }

    /** @return a new client; the caller closes it */
    public MongoClient open() {
        ConnectionString cs = new ConnectionString(uri);
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applyToClusterSettings(b -> b.serverSelectionTimeout(serverSelectionTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout((int) Math.min(Integer.MAX_VALUE, serverSelectionTimeout.toMillis()), TimeUnit.MILLISECONDS))
                .build();
        return MongoClients.create(settings);
    }
}
