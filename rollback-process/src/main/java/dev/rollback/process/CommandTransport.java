package dev.rollback.process;

/**
 * Where an app control's commands run: locally (the default) or on another host, as
 * {@link Ssh#to(String)} does. A transport turns a local command into the command that runs it
 * there.
 */
public interface CommandTransport {

    /** Runs commands on this machine, unchanged. */
    CommandTransport LOCAL = new CommandTransport() {
        @Override
        public Command wrap(Command command) {
            return command;
        }

        @Override
        public String where() {
            return "local";
        }
    };

    /**
     * @param command the command as it would run locally
     * @return the command that runs it through this transport
     */
    Command wrap(Command command);

    /** @return a short name of where commands run ("local", "ssh web1") */
    String where();
}
