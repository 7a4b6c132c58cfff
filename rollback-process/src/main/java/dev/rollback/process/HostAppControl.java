package dev.rollback.process;

import dev.rollback.core.AppControl;

/**
 * An {@link AppControl} made of commands, which can therefore run on another host through a
 * {@link CommandTransport}; {@link Fleet} uses this to run it on every host.
 */
public interface HostAppControl extends AppControl {

    /**
     * @param transport where the control's commands run
     * @return a copy running its commands through {@code transport}
     */
    HostAppControl via(CommandTransport transport);
}
