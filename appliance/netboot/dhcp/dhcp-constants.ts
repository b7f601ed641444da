/** DHCP message types, RFC 2132 §9.6 (option 53). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const messageTypeNames: Record<number, string> = {
  1: 'DISCOVER',
  2: 'OFFER',
  3: 'REQUEST',
  4: 'DECLINE',
  5: 'ACK',
  6: 'NAK',
  7: 'RELEASE',
  8: 'INFORM',
};

export function messageTypeName(type: number | undefined): string {
  if (type === undefined) return 'BOOTP';
  return messageTypeNames[type] ?? `TYPE${type}`;
}

/** Option codes used by this server (RFC 2132 unless noted). */
export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST: 28,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  /** RFC 3004; iPXE sends the bare string "iPXE" instead of the RFC's list. */
  USER_CLASS: 77,
  /** RFC 3046: echoed back unchanged to the relay. */
  RELAY_AGENT_INFO: 82,
  /** RFC 4578 §2.1. */
  CLIENT_ARCH: 93,
  /** RFC 4578 §2.2. */
  CLIENT_NDI: 94,
  /** RFC 4578 §2.3: the machine UUID/GUID. */
  CLIENT_MACHINE_ID: 97,
  /** iPXE's encapsulated options; its presence marks an iPXE client. */
  IPXE: 175,
  END: 255,
} as const;

/** RFC 2131 §2: the BOOTP fixed header is 236 bytes, then the 4-byte magic cookie. */
export const FIXED_HEADER_LENGTH = 236;
export const MAGIC_COOKIE = 0x63825363;
/** RFC 1542 §2.1 / RFC 951: relays and old clients drop BOOTP messages under 300 bytes. */
export const MIN_BOOTP_LENGTH = 300;
/** RFC 2131 §2: every client must accept 576-byte IP datagrams, i.e. 548 bytes of DHCP. */
export const DEFAULT_MAX_DHCP_LENGTH = 576 - 28;
/** RFC 2131 §2, figure 2: the B (broadcast) bit of the flags field. */
export const BROADCAST_FLAG = 0x8000;

export const SERVER_PORT = 67;
export const CLIENT_PORT = 68;
/** PXE specification 2.1, §2.2.5: the proxyDHCP / boot server port. */
export const PXE_PORT = 4011;

/**
 * Client system architectures, RFC 4578 §2.1 and the IANA registry. RFC 4578 listed
 * 7 as "EFI BC" and 9 as "EFI x86-64"; its erratum 4624 swaps them, and EDK2 sends 7 for
 * x86-64, so both mean x86-64 UEFI here.
 */
export const Arch = {
  BIOS: 0,
  EFI_IA32: 6,
  EFI_BC: 7,
  EFI_X64: 9,
  EFI_ARM32: 10,
  EFI_ARM64: 11,
  EFI_X64_HTTP: 16,
} as const;
