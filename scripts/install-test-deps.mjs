// `npm run test:deps`: installs the Debian packages the tests drive for real (Chromium for the
// end-to-end tests, OpenSSH's sshd for the SSH integration tests). Skips what is already there;
// needs root or sudo for apt-get.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const packages = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { name: 'fonts-dejavu-core', present: () => existsSync('/usr/share/fonts/truetype/dejavu') },
  { name: 'openssh-server', present: () => existsSync('/usr/sbin/sshd') },
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

