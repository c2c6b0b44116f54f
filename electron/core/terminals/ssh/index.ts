// SSH terminals: one connection per host, many channels, host keys verified before any credential.
export { openSshConnection, SshConnection, SshConnectionError } from './connection';
export type { HostTrust, SshAuth, SshEndpoint, SshFailure, SshTarget } from './connection';
export { fingerprintOf, hostPatternsMatch, KnownHosts, knownHostsName, parseKnownHosts, presentedHostKey } from './known-hosts';
export type { HostKeyVerdict, KnownHostsEntry, KnownHostsOptions, PresentedHostKey, TrustSource } from './known-hosts';
export { DEFAULT_RECONNECT, sshLauncher } from './session';
export type { ReconnectPolicy, SshLauncherOptions } from './session';
