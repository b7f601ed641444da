import { Type, type Static } from '@sinclair/typebox';

/**
 * The appliance configuration: one JSON file (optional) plus EPNBOX_* environment
 * overrides, validated against this schema at start. Every key has a default,
 * so the appliance starts with no file at all.
 */
const int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });

/** A scheduled job: cron expression (read in timeZone) and an on/off switch. */
const job = (schedule: string, what: string) =>
  Type.Object(
    {
      schedule: Type.String({ minLength: 6, maxLength: 100, default: schedule, description: `Cron expression of the ${what}.` }),
      enabled: Type.Boolean({ default: true, description: `Run the ${what} on schedule.` }),
    },
    { additionalProperties: false, default: {} },
  );

/** Opening hours of one weekday, local time; checked in full by parseDayRanges at load. */
const day = (name: string) =>
  Type.String({
    default: '00:00-24:00',
    description: `Opening hours on ${name}: "HH:MM-HH:MM" ranges, comma separated, local time (empty: closed that day).`,
  });

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: './data', description: 'Directory for the SQLite file, photos, leases, reports.' }),
    http: Type.Object(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address the panel and API listen on.' }),
        port: int(0, 65535, 8080, 'TCP port of the panel and API (0: any free port).'),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        file: Type.String({ minLength: 1, default: 'epnbox.sqlite', description: 'SQLite file, relative to dataDir unless absolute.' }),
        busyTimeoutMs: int(0, 60_000, 5000, 'How long a writer waits for a lock.'),
        listWorker: Type.Boolean({
          default: false,
          description: 'Read list pages (visitors, sessions, stations, audit) on a worker thread with its own read-only connection (~26 MiB more memory; off: in the main thread).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    timeZone: Type.String({ default: 'Indian/Reunion', description: 'IANA time zone for days, quotas, schedules and reports.' }),
    locale: Type.String({ default: 'fr-FR', description: 'BCP 47 locale of the panel and the stations.' }),
    sessions: Type.Object(
      {
        dailyQuota: int(1, 50, 3, 'Sessions a visitor may receive per local day.'),
        codeLength: int(6, 16, 8, 'Characters in an access code.'),
        unusedCodeExpiryHours: int(1, 24 * 30, 24, 'An unused code expires after this many hours.'),
        defaultDurationMinutes: int(5, 12 * 60, 60, 'Duration proposed when issuing a code.'),
      },
      { additionalProperties: false, default: {} },
    ),
    stations: Type.Object(
      {
        heartbeatTimeoutSeconds: int(5, 3600, 30, 'A station silent this long is shown offline.'),
        autoApprove: Type.Boolean({ default: false, description: 'Stations seen at boot become available without approval.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    consent: Type.Object(
      {
        textVersion: Type.String({ minLength: 1, maxLength: 32, default: '2026-01', description: 'Version of the RGPD consent text visitors agree to.' }),
        guardianBelowAge: int(0, 18, 15, 'Below this age a guardian must consent.'),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        connectionRecordsDays: int(1, 3650, 365, 'Days connection records (station, IP, start, end) are kept.'),
        authRecordsDays: int(1, 3650, 90, 'Days ended operator logins and revoked station tokens are kept.'),
        reportsDays: int(1, 3650, 730, 'Days daily reports are kept.'),
      },
      { additionalProperties: false, default: {} },
    ),
    archive: Type.Object(
      {
        afterMonths: int(1, 120, 12, 'Audit events older than this many whole months move to <dataDir>/archive.'),
      },
      { additionalProperties: false, default: {} },
    ),
    jobs: Type.Object(
      {
        expireCodes: job('*/5 * * * *', 'expiry of unused codes and overdue sessions'),
        silentStations: job('* * * * *', 'sweep of silent stations'),
        sessionsReport: job('0 6 * * *', 'sessions report of the previous day'),
        auditReport: job('30 6 * * *', 'audit report of the previous day'),
        purge: job('0 3 * * *', 'purge of data past retention'),
        auditArchive: job('0 1 1 * *', 'monthly archive of old audit events'),
      },
      { additionalProperties: false, default: {} },
    ),
    openingHours: Type.Object(
      { mon: day('Monday'), tue: day('Tuesday'), wed: day('Wednesday'), thu: day('Thursday'), fri: day('Friday'), sat: day('Saturday'), sun: day('Sunday') },
      { additionalProperties: false, default: {} },
    ),
    realtime: Type.Object(
      {
        warningSeconds: Type.String({
          pattern: '^\\s*([1-9]\\d*\\s*(,\\s*[1-9]\\d*\\s*)*)?$',
          default: '300,120,60,30,10',
          description: "Seconds before a session's deadline at which the station warns the visitor, comma separated (empty: none).",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    netboot: Type.Object(
      {
        enabled: Type.Boolean({ default: false, description: 'Serve DHCP/TFTP/HTTP boot to stations (off until configured).' }),
        interface: Type.String({ default: '', description: 'Station LAN interface (or bridge) netboot serves; required when netboot is on.' }),
        serverAddress: Type.String({ default: '', description: "The box's IPv4 address on the station LAN (empty: the interface's first address)." }),
        httpBaseUrl: Type.String({ default: '', description: 'URL stations reach the box at, e.g. http://10.0.0.1:8080 (empty: http://<serverAddress>:<http.port>).' }),
        biosBootFile: Type.String({ minLength: 1, default: 'undionly.kpxe', description: 'iPXE binary sent over TFTP to BIOS PXE firmware.' }),
        uefiBootFile: Type.String({ minLength: 1, default: 'snponly.efi', description: 'iPXE binary sent over TFTP to x86-64 UEFI firmware (snponly.efi or ipxe.efi).' }),
        bootFileByMac: Type.String({ default: '', description: 'Quirk: boot file per MAC for firmware PXE, "mac=file" comma separated (iPXE still gets the HTTP URL).' }),
        imagesDir: Type.String({ minLength: 1, default: 'images', description: 'Image catalogue (<name>/<version>/…), relative to dataDir unless absolute.' }),
        enrollNonceTtlSeconds: int(60, 24 * 3600, 900, 'Lifetime of the one-time enrollment nonce put on a booting station\'s kernel command line.'),
        bootRetries: int(1, 20, 3, 'Attempts at loading kernel and initrd before the boot script shows its failure message.'),
        bootRetryDelaySeconds: int(1, 300, 5, 'Pause between those attempts.'),
        waitRetrySeconds: int(5, 3600, 30, 'How often a waiting station (pending approval, no profile, image missing) asks again.'),
        scriptRequestsPerMinute: int(1, 6000, 30, 'Boot script requests accepted per source address and minute (the endpoint is public).'),
        newStationsPerHour: int(1, 100_000, 200, 'Unknown MACs registered as stations per hour at most; more wait and retry.'),
        dhcp: Type.Object(
          {
            mode: Type.Union([Type.Literal('off'), Type.Literal('proxy'), Type.Literal('full')], {
              default: 'proxy',
              description: 'off: no DHCP; proxy: boot answers beside the LAN router; full: the box hands out addresses too.',
            }),
            interfaceGuard: Type.Union([Type.Literal('nftables'), Type.Literal('none')], {
              default: 'nftables',
              description: 'nftables: drop DHCP/PXE datagrams from other interfaces; none: only for a box with one interface.',
            }),
            rangeStart: Type.String({ default: '', description: 'Full mode: first address of the pool (in the interface subnet).' }),
            rangeEnd: Type.String({ default: '', description: 'Full mode: last address of the pool.' }),
            routers: Type.String({ default: '', description: 'Full mode: option 3, comma separated (empty: the box).' }),
            dnsServers: Type.String({ default: '', description: 'Full mode: option 6, comma separated (empty: the box).' }),
            leaseSeconds: int(60, 7 * 24 * 3600, 3600, 'Full mode: lease time.'),
            probeTimeoutMs: int(0, 60_000, 5000, 'Full mode: how long to listen for another DHCP server before starting.'),
            replyDelayMs: int(0, 10_000, 0, 'Quirk: wait this long before every DHCP reply.'),
            replyDelayByMac: Type.String({ default: '', description: 'Quirk: reply delay per MAC, "mac=ms" comma separated.' }),
          },
          { additionalProperties: false, default: {} },
        ),
        tftp: Type.Object(
          {
            root: Type.String({ minLength: 1, default: '/usr/lib/ipxe', description: "Where the boot files come from (Debian's ipxe package); the box serves copies of the configured ones from <dataDir>/tftp." }),
            maxBlockSize: int(512, 65464, 1468, 'Quirk: largest TFTP block size offered (RFC 2348).'),
            answerSpinMicros: int(0, 10_000, 100, 'How long a transfer alone on its thread may wait awake for the station\'s answer instead of sleeping (0: never).'),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace')], {
          default: 'info',
          description: 'Log level.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type AppConfig = Static<typeof ConfigSchema>;
