/**
 * Processes and the systems around them: {@link dev.rollback.process.Command} (argument lists, no
 * shell, secrets only in the environment), app controls ({@link dev.rollback.process.Systemd},
 * {@link dev.rollback.process.Pm2}, {@link dev.rollback.process.DockerCompose},
 * {@link dev.rollback.process.Kubernetes}, {@link dev.rollback.process.Fleet}), HTTP health and smoke
 * checks ({@link dev.rollback.process.Http}), env files, status pages and notifiers.
 */
package dev.rollback.process;
