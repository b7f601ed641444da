// `npm run lab [-- --uefi]`: the netboot lab for a person. A box in a network namespace
// runs the real appliance (netboot on, full DHCP, a fresh data directory) and one QEMU
// station PXE-boots from it, its serial console in this terminal. Ctrl-C, or the station
// powering off (type `exit` in its shell), tears everything down. Needs root (namespaces)
// and the Debian packages of .ci/apt/netboot-qemu.list.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { argv, chalk } from 'zx';
import { CACHE_DIR, debianKernel, markerInitrd, REPO, staticBusybox } from './lab/boot-assets.ts';
import { LAB_IMAGE, labEnvironment, prepareDataDir, startLabAppliance, type LabAppliance } from './lab/lab-appliance.ts';
import { createLabNetwork, LAB_NET, type LabNetwork } from './lab/lab-network.ts';
import { requireQemuLab } from './lab/lab-requirements.ts';
import { stationMachine, type Firmware, type StationMachine } from './lab/qemu-station.ts';
import { boxLine } from './lab/box-line.ts';

if (argv.help || argv.h) {
  process.stdout.write('usage: npm run lab [-- --uefi] [-- --proxy] [-- --pending] [-- --no-ra] [-- --mac 52:54:00:xx:xx:xx]\n');
  process.exit(0);
}
const firmware: Firmware = argv.uefi ? 'uefi' : 'bios';
const mac = typeof argv.mac === 'string' ? argv.mac : `52:54:00:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
// --pending: the station is not auto-approved and shows the "awaiting approval" screen.
const autoApprove = !argv.pending;
// --proxy: the box answers proxyDHCP beside a router (dnsmasq in its own namespace) that hands out addresses.
const dhcpMode = argv.proxy ? 'proxy' : 'full';
const say = (text: string) => process.stdout.write(`${chalk.cyan('[lab]')} ${text}\n`);
// Ctrl-C may also end whatever reads our output (a pipe to tee): the teardown must not die of EPIPE.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

let network: LabNetwork | undefined;
let appliance: LabAppliance | undefined;
let machine: StationMachine | undefined;
const runDir = join(REPO, '.lab', `run-${process.pid}`);
let tearingDown: Promise<void> | undefined;

/** Stops QEMU and the appliance by PID, deletes the namespace and the run directory; runs once. */
function teardown(reason: string): Promise<void> {
  tearingDown ??= (async () => {
    say(`${reason}: tearing the lab down`);
    if (network && appliance) await network.lab.stop(appliance.child, 10_000);
    await network?.destroy();
    await machine?.cleanup();
    await rm(runDir, { recursive: true, force: true });
    say('done: namespace deleted, processes stopped');
  })();
  return tearingDown;
}

process.on('SIGINT', () => void teardown('Ctrl-C').then(() => process.exit(130)));
process.on('SIGTERM', () => void teardown('SIGTERM').then(() => process.exit(143)));

try {
  requireQemuLab();
  say(`kernel and busybox from Debian packages (cached in ${CACHE_DIR})`);
  const [kernel, busybox] = await Promise.all([debianKernel(), staticBusybox()]);
  const dataDir = join(runDir, 'data');
  await mkdir(dataDir, { recursive: true });
  await prepareDataDir(dataDir, { kernel, initrd: await markerInitrd(busybox, 'EPNBOX-LAB-STATION-UP', { shell: true }), kernelArgs: 'console=ttyS0 loglevel=3' });
  // --no-ra: no IPv6 router adverts on the bridge, to see iPXE wait for them (~13 s per iPXE stage).
  network = await createLabNetwork('eplab', { routerAdverts: argv.ra !== false });
  if (dhcpMode === 'proxy') await network.addRouter();
  const log = createWriteStream(join(runDir, 'appliance.log'));
  say(`box: namespace ${network.box}, bridge ${LAB_NET.bridge} ${LAB_NET.boxIp}/${LAB_NET.prefix}; appliance log in ${join(runDir, 'appliance.log')}`);
  appliance = await startLabAppliance(network, labEnvironment(dataDir, { autoApprove, dhcpMode }), (line) => {
    log.write(`${line}\n`);
    const shown = boxLine(line);
    if (shown !== undefined) process.stdout.write(`${chalk.dim(`[box] ${shown}`)}\n`);
  });
  say(`appliance up (${dhcpMode} DHCP; profile ${LAB_IMAGE.profile} is the default; stations ${autoApprove ? 'auto-approved' : 'pending until approved'})`);
  say(`panel from this machine: ip netns exec ${network.box} curl http://${LAB_NET.boxIp}:${LAB_NET.httpPort}/api/health`);
  const tap = await network.addTap();
  machine = await stationMachine({ firmware, tap, mac });
  say(`station ${mac} (${firmware === 'bios' ? 'SeaBIOS + iPXE ROM' : 'OVMF, its own PXE'}) boots; its serial console follows. Ctrl-C ends the lab.`);
  // The console is this terminal; Ctrl-C stays a signal (signal=on) so the lab can tear down.
  const args = machine.args.map((a) => (a === 'stdio' ? 'chardev:console0' : a));
  const qemu = network.lab.spawn(network.box, 'qemu-system-x86_64', [...args, '-chardev', 'stdio,id=console0,signal=on'], { stdio: ['inherit', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => qemu.once('exit', (c) => resolve(c)));
  await teardown(`the station stopped (QEMU exit ${code})`);
} catch (error) {
  process.stderr.write(`${chalk.red('[lab]')} ${(error as Error).message}\n`);
  await teardown('error');
  process.exitCode = 1;
}
