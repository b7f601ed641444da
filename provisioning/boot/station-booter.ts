import { reading } from '../../api/db/transaction.ts';
import { issueEnrollmentNonce } from '../../api/enrollment/enrollment-nonces.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import { DomainError } from '../../api/shared/errors.ts';
import { normaliseMac } from '../../api/stations/mac-address.ts';
import { registerSeenMac } from '../../api/stations/station-enrollment.ts';
import { normaliseStationIp } from '../../api/stations/station-fields.ts';
import { findStationByMac } from '../../api/stations/stations-repository.ts';
import type { Station } from '../../api/stations/stations-table.ts';
import { resolveStationProfile, type ResolvedProfile } from './boot-resolution.ts';
import { bootDb } from './boot-tables.ts';
import type { ImageCatalogue } from './image-catalogue.ts';
import { requireBootableImage } from './image-requirements.ts';
import { renderBootScript, renderUnsupportedArchScript, renderWaitScript, type ScriptTiming, type WaitReason } from './ipxe-script.ts';
import type { WindowBudget } from './window-budget.ts';

export interface StationBooterOptions {
  ctx: DomainContext;
  catalogue: ImageCatalogue;
  /** Enrollment policy in force (setting stations.autoApprove over the configuration). */
  autoApprove: () => Promise<boolean>;
  /** Lifetime of the enrollment nonce put on the kernel command line. */
  nonceTtlMs: number;
  timing: ScriptTiming;
  /** Cap on MACs registered per window: a flood of invented MACs must not fill the stations table. */
  newStations: WindowBudget;
}

export interface BootScriptRequest {
  mac: string;
  /** As the DHCP policy wrote it in the URL (`bios`, `efi64`…); undefined when absent. */
  arch: string | undefined;
  /** Address the request came from. */
  ip: string | null;
  /** How the station reaches the box, e.g. `http://10.0.0.1:8080` (no trailing slash). */
  baseUrl: string;
}

export type BootOutcome = 'boot' | 'unsupported_arch' | WaitReason;

export interface BootScriptAnswer {
  script: string;
  outcome: BootOutcome;
  /** For the boot log (one line per request, per MAC). */
  log: { mac: string; arch: string; stationId: number | null; profile?: string; source?: string; image?: string; error?: string };
}

/** Architectures the x86-64 images can run on; `unknown` is given the benefit of the doubt. */
const RUNNABLE_ARCHS = new Set(['bios', 'efi64', 'efi32', 'unknown']);

type Plan =
  | { kind: 'unsupported_arch' }
  | { kind: WaitReason; station: Station | null; image?: { name: string; version: string }; error?: string }
  | { kind: 'boot'; station: Station; resolved: ResolvedProfile; nonce: string; expiresAt: number };

/** The request's address as a station address (IPv4 host, v4-mapped form unwrapped), or null. */
function stationIp(ip: string | null): string | null {
  try {
    return normaliseStationIp(ip?.replace(/^::ffff:/i, '') ?? null);
  } catch {
    return null;
  }
}

/**
 * What each station boots: the policy behind `/boot/ipxe`. An unknown MAC
 * becomes a station (pending, or available when auto-approved); a pending
 * station, one without a profile or whose image is gone gets a script that says
 * so on screen and asks again; an approved one gets its kernel, initrd and
 * squashfs URLs and a fresh one-time enrollment nonce.
 */
export function createStationBooter(options: StationBooterOptions) {
  const { ctx, catalogue } = options;

  async function stationFor(mac: string, ip: string | null): Promise<Station | 'busy'> {
    const known = await reading(() => findStationByMac(ctx.db, mac));
    if (known !== undefined) return known;
    if (!options.newStations.take().allowed) return 'busy';
    const { station } = await registerSeenMac(ctx, { mac, ip: stationIp(ip), autoApprove: await options.autoApprove() });
    return (await reading(() => findStationByMac(ctx.db, station.mac))) ?? 'busy';
  }

  async function plan(mac: string, arch: string, ip: string | null): Promise<Plan> {
    if (!RUNNABLE_ARCHS.has(arch)) return { kind: 'unsupported_arch' };
    let station: Station | null = null;
    try {
      const found = await stationFor(mac, ip);
      if (found === 'busy') return { kind: 'busy', station: null };
      station = found;
      if (station.state === 'pending') return { kind: 'pending', station };
      const stationId = station.id;
      const resolved = await reading(() => resolveStationProfile(bootDb(ctx.db), stationId));
      if (resolved === null) return { kind: 'no_profile', station };
      const { profile } = resolved;
      const image = { name: profile.image_name, version: profile.image_version };
      try {
        await requireBootableImage(catalogue, image.name, image.version, { kernel: profile.kernel_file, initrd: profile.initrd_file, squashfs: profile.squashfs_file });
      } catch (error) {
        if (error instanceof DomainError && error.category !== 'unavailable') return { kind: 'image_unavailable', station, image, error: error.code };
        throw error;
      }
      const { nonce, expiresAt } = await issueEnrollmentNonce(ctx, { stationId: station.id, mac, ip, ttlMs: options.nonceTtlMs });
      return { kind: 'boot', station, resolved, nonce, expiresAt };
    } catch (error) {
      // The database or the catalogue cannot answer: the station waits and asks again.
      if (error instanceof DomainError && error.category === 'unavailable') return { kind: 'unavailable', station, error: error.code };
      throw error;
    }
  }

  function render(p: Plan, mac: string, arch: string, baseUrl: string): string {
    const scriptUrl = `${baseUrl}/boot/ipxe?mac=${mac}&arch=${arch}`;
    if (p.kind === 'unsupported_arch') return renderUnsupportedArchScript({ mac, arch });
    if (p.kind !== 'boot') {
      const station = p.station === null ? null : { name: p.station.name, mac };
      return renderWaitScript({ reason: p.kind, mac, station, image: p.image ?? null, scriptUrl, retrySeconds: options.timing.pendingRetrySeconds });
    }
    const { profile, source } = p.resolved;
    const files = `${baseUrl}/boot/images/${profile.image_name}/${profile.image_version}`;
    return renderBootScript({
      station: { name: p.station.name, mac },
      arch,
      profile: { name: profile.name, source },
      image: { name: profile.image_name, version: profile.image_version },
      kernelUrl: `${files}/${profile.kernel_file}`,
      initrdUrl: `${files}/${profile.initrd_file}`,
      initrdName: profile.initrd_file,
      squashfsUrl: `${files}/${profile.squashfs_file}`,
      kernelArgs: profile.kernel_args,
      serverUrl: baseUrl,
      nonce: p.nonce,
      nonceExpiresAt: p.expiresAt,
      scriptUrl,
      timing: options.timing,
    });
  }

  return {
    /** The iPXE script for a station; throws only for an unreadable MAC (a client error). */
    async scriptFor(request: BootScriptRequest): Promise<BootScriptAnswer> {
      const mac = normaliseMac(request.mac);
      const arch = request.arch ?? 'unknown';
      const p = await plan(mac, arch, request.ip);
      const log: BootScriptAnswer['log'] = { mac, arch, stationId: p.kind === 'unsupported_arch' ? null : (p.station?.id ?? null) };
      if (p.kind === 'boot') Object.assign(log, { profile: p.resolved.profile.name, source: p.resolved.source, image: `${p.resolved.profile.image_name} ${p.resolved.profile.image_version}` });
      if (p.kind !== 'boot' && p.kind !== 'unsupported_arch' && p.error !== undefined) log.error = p.error;
      return { script: render(p, mac, arch, request.baseUrl.replace(/\/+$/, '')), outcome: p.kind, log };
    },
  };
}

export type StationBooter = ReturnType<typeof createStationBooter>;
