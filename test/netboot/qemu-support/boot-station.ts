import { randomBytes } from 'node:crypto';
import type { LabNetwork } from '../../../scripts/lab/lab-network.ts';
import { stationMachine, type Firmware } from '../../../scripts/lab/qemu-station.ts';

export interface BootResult {
  /** Everything the station wrote on its serial console. */
  serial: string;
  /** From QEMU's start to the marker on the serial console. */
  seconds: number;
  /** QEMU ended by itself (the /init powered off) after the marker. */
  poweredOff: boolean;
}

/** A locally administered MAC in QEMU's range, new per run. */
export function randomStationMac(): string {
  return `52:54:00:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

/**
 * Boots one QEMU station on a new tap of the lab bridge and waits for `marker` on its
 * serial console. QEMU is always stopped (by PID) and its UEFI variables removed, even
 * when the marker never comes; the error then carries the end of the console output.
 */
export async function bootStation(network: LabNetwork, options: { firmware: Firmware; mac: string; marker: string; timeoutMs: number }): Promise<BootResult> {
  const tap = await network.addTap();
  const machine = await stationMachine({ firmware: options.firmware, tap, mac: options.mac });
  const started = Date.now();
  const qemu = network.lab.spawn(network.box, 'qemu-system-x86_64', machine.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let serial = '';
  let stderr = '';
  qemu.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
  const exited = new Promise<void>((resolve) => qemu.once('exit', () => resolve()));
  try {
    const seconds = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no marker within ${options.timeoutMs} ms`)), options.timeoutMs);
      qemu.stdout!.on('data', (chunk: Buffer) => {
        serial += chunk.toString('latin1');
        if (serial.includes(options.marker)) {
          clearTimeout(timer);
          resolve((Date.now() - started) / 1000);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`QEMU exited before the marker: ${stderr.trim()}`));
      });
    }).catch((error: Error) => {
      throw new Error(`${options.firmware} station ${options.mac}: ${error.message}\n--- serial console (end) ---\n${serial.slice(-3000)}`);
    });
    // The marker's /init powers off right after: give QEMU a moment to exit by itself.
    let grace: NodeJS.Timeout | undefined;
    const poweredOff = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), 15_000)))]);
    clearTimeout(grace);
    return { serial, seconds, poweredOff };
  } finally {
    await network.lab.stop(qemu);
    await network.lab.ip(network.box, 'link', 'del', tap).catch(() => undefined);
    await machine.cleanup();
  }
}
