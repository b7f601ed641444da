/** What the boot policy learns about a client asking to boot. */
export interface BootClient {
  /** Lower-case colon-separated MAC, e.g. `52:54:00:12:34:56`. */
  mac: string;
  /** RFC 4578 client architecture; undefined when the client did not say. */
  arch: number | undefined;
  /** iPXE (option 175 or user class "iPXE"): give it an HTTP URL, not a binary. */
  isIpxe: boolean;
  /** RFC 3004 user classes (or iPXE's bare string), [] when absent. */
  userClass: string[];
  /** Option 60, e.g. `PXEClient:Arch:00007:UNDI:003000`; undefined when absent. */
  vendorClass: string | undefined;
  /** RFC 4578 machine GUID; undefined when absent. */
  machineId: string | undefined;
}

/**
 * Where a client boots from. `bootFile` is a TFTP path for firmware PXE; `bootUrl` an
 * HTTP URL for iPXE. `nextServer` (siaddr, RFC 2131 §2): undefined means the box itself.
 */
export type BootSpec = { bootFile: string; nextServer?: string } | { bootUrl: string; nextServer?: string };

/**
 * The policy the DHCP server is handed: the protocol module decides nothing about what
 * a machine boots (as pixiecore's `Booter`).
 */
export interface BootPolicy {
  /** null: this client gets no boot answer (proxy mode then stays silent). */
  bootFor(client: BootClient): BootSpec | null | Promise<BootSpec | null>;
  /**
   * Called for every DISCOVER/REQUEST/INFORM the server accepts, before it answers; for
   * enrollment of unknown MACs. Must be idempotent; its errors are logged, never fatal,
   * and the answer does not wait for it.
   */
  onClientSeen?(client: BootClient): void | Promise<void>;
}

export function bootTarget(spec: BootSpec): string {
  return 'bootUrl' in spec ? spec.bootUrl : spec.bootFile;
}
