import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { systemClock, type Clock } from '../../../api/shared/clock.ts';
import { invalid } from '../../../api/shared/errors.ts';
import type { FileCacheLimits } from './file-cache.ts';
import { MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, type WireOptions } from './packets.ts';
import type { TftpPeer, TransferOutcome } from './read-transfer.ts';
import type { RequestRateLimit } from './request-limiter.ts';

export interface TftpRequestEvent {
  readonly peer: TftpPeer;
  /** The name as the client sent it, before any mapping. */
  readonly file: string;
  readonly mode: string;
  readonly options: WireOptions;
}

export interface TftpTransferEvent extends TftpRequestEvent {
  /** The real path served, or undefined when the request was refused before opening. */
  readonly path: string | undefined;
  readonly outcome: TransferOutcome | 'refused';
  /** For a refusal: the ERROR code sent (RFC 1350 Appendix). */
  readonly errorCode?: number;
  readonly detail?: string;
  readonly bytesSent: number;
  readonly blockSize?: number;
  readonly windowSize?: number;
  readonly retransmits: number;
  readonly durationMs: number;
  /** Answers caught while the transfer waited awake (`answerSpinMicros`); absent when it could not. */
  readonly awakeAnswers?: number;
}

/** The pino call shape (`log.info(obj, msg)`), so a child logger can be passed as is. */
export interface TftpLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TftpServerOptions {
  /** Directory served; nothing outside it (after symlinks) is ever sent. */
  readonly root: string;
  /**
   * Real directories outside the root that symlinks inside it may point into, e.g.
   * `/boot` for Debian 12's `/usr/lib/ipxe/ipxe.efi -> /boot/ipxe.efi`. Default none.
   * Names sent by clients are still checked (no `..`, no absolute path).
   */
  readonly symlinkTargets?: readonly string[];
  /** Address to bind. Bind the station-LAN address on a multi-homed box: replies leave from it. Default 0.0.0.0. */
  readonly host?: string;
  /** UDP port of requests. Default 69; 0 picks a free port (tests). */
  readonly port?: number;
  /** Largest block size offered (RFC 2348). Default 1468: one Ethernet frame at MTU 1500. */
  readonly maxBlockSize?: number;
  /** Largest window offered (RFC 7440). Default 64; 1 disables windowing. */
  readonly maxWindowSize?: number;
  /** Retransmission interval unless the client negotiates `timeout`. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Retransmissions without progress before a transfer is abandoned. Default 5. */
  readonly maxRetries?: number;
  /**
   * Worker threads that run the transfers (the server's thread keeps requests and
   * hooks). Default: one per core, at most 4. 0 runs transfers in the server's thread.
   */
  readonly workers?: number;
  /**
   * Transfers' peer sockets through the native addon (@epnbox/datagram, less CPU per
   * block) when it is loaded. Default true; false forces node:dgram (tests, diagnosis).
   */
  readonly nativeDatagram?: boolean;
  /**
   * After sending, a transfer alone on its worker thread may wait awake up to this long
   * for the client's answer instead of sleeping (answer-spin.ts: only while answers come
   * that fast, then it stops by itself). Saves a thread wake-up per block on fast links,
   * at the cost of CPU while it waits. Default 100 µs; 0 never spins.
   */
  readonly answerSpinMicros?: number;
  /** Transfers at once, all clients together. Default 128. */
  readonly maxTransfers?: number;
  /** Transfers at once from one address. Default 8. */
  readonly maxTransfersPerClient?: number;
  /** Read requests per client address. Default burst 20, then 10 per second, 4096 clients tracked. */
  readonly requestRate?: RequestRateLimit;
  /** In-memory cache of small files. Default files up to 8 MiB, 64 MiB in all. */
  readonly cache?: FileCacheLimits;
  /** netascii is converted in memory, so only for files up to this size. Default 4 MiB. */
  readonly netasciiMaxBytes?: number;
  readonly clock?: Clock;
  /**
   * Policy hook: the name to look up for a request, or undefined to keep the
   * client's. Its result is checked like any client name (no `..`, no absolute path).
   */
  readonly mapPath?: (file: string, peer: TftpPeer) => string | undefined | Promise<string | undefined>;
  /** Called for every read request before it is served (logs, enrollment). Errors are logged, never fatal. */
  readonly onRequest?: (event: TftpRequestEvent) => void;
  /** Called once per read request when it ends, served or refused. */
  readonly onTransferEnd?: (event: TftpTransferEvent) => void;
  readonly logger?: TftpLogger;
}

export type ResolvedOptions = Required<Omit<TftpServerOptions, 'mapPath' | 'onRequest' | 'onTransferEnd'>> &
  Pick<TftpServerOptions, 'mapPath' | 'onRequest' | 'onTransferEnd'>;

const silent: TftpLogger = { debug: () => {}, info: () => {}, warn: () => {} };

export function resolveOptions(options: TftpServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    symlinkTargets: [],
    host: '0.0.0.0',
    port: 69,
    maxBlockSize: 1468,
    maxWindowSize: 64,
    timeoutMs: 1000,
    maxRetries: 5,
    workers: Math.min(availableParallelism(), 4),
    nativeDatagram: true,
    answerSpinMicros: 100,
    maxTransfers: 128,
    maxTransfersPerClient: 8,
    requestRate: { burst: 20, perSecond: 10, maxClients: 4096 },
    cache: { maxFileBytes: 8 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 },
    netasciiMaxBytes: 4 * 1024 * 1024,
    clock: systemClock,
    logger: silent,
    ...options,
  };
  check(resolved.port, 0, 65535, 'port');
  check(resolved.maxBlockSize, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE, 'maxBlockSize');
  check(resolved.maxWindowSize, 1, 65535, 'maxWindowSize');
  check(resolved.timeoutMs, 1, 255_000, 'timeoutMs');
  check(resolved.maxRetries, 0, 100, 'maxRetries');
  check(resolved.workers, 0, 64, 'workers');
  check(resolved.answerSpinMicros, 0, 10_000, 'answerSpinMicros');
  check(resolved.maxTransfers, 1, 65535, 'maxTransfers');
  check(resolved.maxTransfersPerClient, 1, 65535, 'maxTransfersPerClient');
  if (isIP(resolved.host) === 0) {
    throw invalid('TFTP_HOST_INVALID', `Adresse d'écoute TFTP invalide (une adresse IP) : ${resolved.host}`, `TFTP listen address must be an IP address: ${resolved.host}`);
  }
  if (resolved.root === '') throw invalid('TFTP_ROOT_MISSING', 'Dossier racine TFTP non indiqué', 'TFTP root directory not set');
  return resolved;
}

function check(value: number, min: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid('TFTP_OPTION_INVALID', `Réglage TFTP ${name} hors limites (${min}–${max}) : ${value}`, `TFTP setting ${name} out of range (${min}–${max}): ${value}`);
  }
}
