// `npm run test:deps`: installs the Debian packages the tests drive for real (Chromium for the
// end-to-end tests, OpenSSH's sshd for the SSH integration tests, kubectl for the kubectl
// terminals, Alertmanager and Prometheus for the alert feeds). Skips what is already there; needs
// root or sudo for apt-get.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `name` is an executable on the PATH, wherever it came from. */
const onPath = (name) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const packages = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { name: 'fonts-dejavu-core', present: () => existsSync('/usr/share/fonts/truetype/dejavu') },
  { name: 'openssh-server', present: () => existsSync('/usr/sbin/sshd') },
  // Any kubectl will do: some images ship another package's (Google Cloud SDK's `kubectl`), whose
  // /usr/bin/kubectl Debian's kubernetes-client would collide with, so it is installed only when none is there.
  { name: 'kubernetes-client', present: () => onPath('kubectl') },
  // The alert feed's integration tests run the real Alertmanager and Prometheus on loopback.
  { name: 'prometheus-alertmanager', present: () => existsSync('/usr/bin/prometheus-alertmanager') },
  { name: 'prometheus', present: () => existsSync('/usr/bin/prometheus') },
];

const missing = packages.filter((p) => !p.present()).map((p) => p.name);
if (!missing.length) {
  console.log('test dependencies: all present');
  process.exit(0);
}
if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.error(`test dependencies missing: ${missing.join(', ')}; install them with your package manager`);
  process.exit(1);
}
const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
const run = (args) => {
  const [cmd, ...rest] = [...asRoot, ...args];
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`test dependencies: \`${[cmd, ...rest].join(' ')}\` failed (exit ${r.status})`);
    process.exit(1);
  }
};
console.log(`test dependencies: installing ${missing.join(', ')}`);
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', ...missing]);

