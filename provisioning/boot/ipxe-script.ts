/**
 * iPXE scripts, rendered as pure functions of a boot plan (golden-file tested).
 *
 * What iPXE's parser does with a line (src/core/exec.c): it splits on
 * whitespace, with no quoting; a token that is exactly `||`, `&&` or `;` ends a
 * command; a token starting with `#` starts a comment; `${…}` is expanded.
 * A command that fails without `||` aborts the whole script, so every command
 * that can fail carries a branch. Texts are ASCII French then English: the
 * BIOS text console shows code page 437, not UTF-8, so accents are left out.
 */

export interface ScriptTiming {
  /** Attempts at loading kernel + initrd before the failure message (config netboot.bootRetries). */
  retries: number;
  retryDelaySeconds: number;
  /** How often a waiting station (pending, no profile…) asks again. */
  pendingRetrySeconds: number;
  /** How long the failure message stays before the script starts over. */
  failedWaitSeconds: number;
}

export interface StationRef {
  name: string;
  mac: string;
}

export interface BootScriptInput {
  station: StationRef;
  /** As iPXE reported it (`bios`, `efi64`…); `unknown` when absent. */
  arch: string;
  profile: { name: string; source: 'station' | 'group' | 'default' };
  image: { name: string; version: string };
  kernelUrl: string;
  initrdUrl: string;
  /** Name the initrd is registered under, repeated as `initrd=` on the command line. */
  initrdName: string;
  squashfsUrl: string;
  /** The profile's own arguments (checked: no `$`, `#`, quotes, `||`…). */
  kernelArgs: string;
  /** Base URL of the box, for the agent (`epnbox.server=`). */
  serverUrl: string;
  nonce: string;
  nonceExpiresAt: number;
  /** This script's own URL: the failure branch starts over from it (a fresh nonce). */
  scriptUrl: string;
  timing: ScriptTiming;
}

export type WaitReason = 'pending' | 'busy' | 'no_profile' | 'image_unavailable' | 'unavailable';

export interface WaitScriptInput {
  reason: WaitReason;
  mac: string;
  station: StationRef | null;
  image: { name: string; version: string } | null;
  scriptUrl: string;
  retrySeconds: number;
}

const RULE = '==============================================================';

/**
 * Free text (station and profile names, chosen by people) made safe for a
 * script line: accents dropped, and every character that iPXE could read as
 * syntax (`$`, `|`, `&`, `;`, `#`, line breaks…) replaced, so a name can never
 * end the echo it sits in and start a command.
 */
export function scriptText(text: string): string {
  const ascii = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return ascii.replace(/[^A-Za-z0-9 ._:/()+,@='-]/g, '_').replace(/\s+/g, ' ').trim() || '_';
}

/** URLs, MACs, arch names and kernel arguments are built from checked parts; this is the last guard. */
const SAFE_TOKENS = /^[A-Za-z0-9._:/=,+@%~?&[\]-]+( [A-Za-z0-9._:/=,+@%~?&[\]-]+)*$/;

function checked(value: string, what: string): string {
  if (!SAFE_TOKENS.test(value) || /(^| )(\|\||&&)( |$)/.test(value)) throw new Error(`unsafe ${what} for an iPXE script: ${JSON.stringify(value)}`);
  return value;
}

function lines(...parts: Array<string | string[]>): string {
  return `${parts.flat().join('\n')}\n`;
}

/** The kernel command line: the profile's arguments plus what the boot chain needs. */
export function kernelCommandLine(input: Pick<BootScriptInput, 'initrdName' | 'kernelArgs' | 'squashfsUrl' | 'serverUrl' | 'nonce'>): string {
  const line = [
    // Debian's iPXE EFI build hands the initrd to the kernel's EFI stub only when named
    // here; BIOS kernels ignore it (it is a boot-loader parameter).
    `initrd=${input.initrdName}`,
    input.kernelArgs,
    // live-boot downloads the root file system into RAM from this URL.
    `fetch=${input.squashfsUrl}`,
    `epnbox.server=${input.serverUrl}`,
    `epnbox.enroll=${input.nonce}`,
  ]
    .filter((part) => part.length > 0)
    .join(' ');
  return checked(line, 'kernel command line');
}

function archComment(arch: string): string {
  if (arch === 'bios') return '# BIOS (pcbios iPXE): iPXE hands the initrd over itself; initrd= is harmless.';
  if (arch.includes('efi')) return '# UEFI (iPXE EFI): the kernel EFI stub loads the initrd named by initrd=.';
  return '# architecture not reported: initrd= is kept so that UEFI and BIOS both work.';
}

/** A known, approved station with a profile: kernel + initrd over HTTP, retries, then a clear message. */
export function renderBootScript(input: BootScriptInput): string {
  const { image, timing } = input;
  const station = { name: scriptText(input.station.name), mac: checked(input.station.mac, 'MAC') };
  for (const [value, what] of [[input.kernelUrl, 'kernel URL'], [input.initrdUrl, 'initrd URL'], [input.scriptUrl, 'script URL'], [input.arch, 'arch']] as const) checked(value, what);
  const what = `${station.name} (${image.name} ${image.version})`;
  const tries = String(timing.retries);
  return lines(
    '#!ipxe',
    '# epnbox boot script',
    `# station ${station.name} (${station.mac}), arch ${input.arch}`,
    `# profile ${scriptText(input.profile.name)} (from ${input.profile.source}), image ${image.name} ${image.version}`,
    `# enrollment nonce valid until ${new Date(input.nonceExpiresAt).toISOString()}`,
    archComment(input.arch),
    '',
    'set epnbox-try:int32 0',
    ':epnbox-retry',
    `iseq \${epnbox-try} ${tries} && goto epnbox-failed ||`,
    'inc epnbox-try',
    // Frees what a failed attempt left; the running script is not in the list while it runs.
    'imgfree ||',
    `echo epnbox: demarrage de ${what}, essai \${epnbox-try}/${tries}`,
    `echo epnbox: booting ${what}, attempt \${epnbox-try}/${tries}`,
    `kernel ${input.kernelUrl} ${kernelCommandLine(input)} || goto epnbox-wait`,
    `initrd --name ${input.initrdName} ${input.initrdUrl} || goto epnbox-wait`,
    'boot || goto epnbox-wait',
    ':epnbox-wait',
    `echo epnbox: echec du chargement, nouvel essai dans ${timing.retryDelaySeconds} s`,
    `echo epnbox: loading failed, retrying in ${timing.retryDelaySeconds} s`,
    `sleep ${timing.retryDelaySeconds} ||`,
    'goto epnbox-retry',
    ':epnbox-failed',
    'echo',
    `echo ${RULE}`,
    `echo Ce poste n'a pas pu demarrer apres ${tries} essais.`,
    `echo Le serveur ${input.serverUrl} ne repond pas,`,
    `echo ou l'image ${image.name} ${image.version} y est inaccessible.`,
    `echo Prevenez l'animateur. Nouvel essai automatique dans ${timing.failedWaitSeconds} s.`,
    'echo',
    `echo This station could not start after ${tries} attempts:`,
    `echo the server ${input.serverUrl} does not answer,`,
    `echo or image ${image.name} ${image.version} cannot be loaded from it.`,
    `echo Please tell the staff. Retrying automatically in ${timing.failedWaitSeconds} s.`,
    `echo ${RULE}`,
    `sleep ${timing.failedWaitSeconds} ||`,
    `chain --replace --autofree ${input.scriptUrl} || goto epnbox-failed`,
  );
}

function waitMessage(input: WaitScriptInput): { fr: string[]; en: string[] } {
  const who = input.station === null ? input.mac : `${scriptText(input.station.name)} (${input.mac})`;
  const image = input.image === null ? '' : `${input.image.name} ${input.image.version}`;
  switch (input.reason) {
    case 'pending':
      return {
        fr: [`Poste en attente d'approbation : ${who}`, "Un administrateur doit l'accepter dans le panneau epnbox."],
        en: [`Station awaiting approval: ${who}`, 'An administrator must accept it in the epnbox panel.'],
      };
    case 'busy':
      return {
        fr: [`Trop de nouveaux postes en meme temps ; ${who} sera enregistre au prochain essai.`],
        en: [`Too many new stations at once; ${who} will be registered at the next attempt.`],
      };
    case 'no_profile':
      return {
        fr: [`Aucun profil de demarrage pour ${who}, et pas de profil par defaut.`, "Un administrateur doit en choisir un dans le panneau epnbox."],
        en: [`No boot profile for ${who}, and no default profile.`, 'An administrator must choose one in the epnbox panel.'],
      };
    case 'image_unavailable':
      return {
        fr: [`L'image ${image} de ${who} est absente ou incomplete sur le serveur.`, "Prevenez l'animateur."],
        en: [`Image ${image} of ${who} is missing or incomplete on the server.`, 'Please tell the staff.'],
      };
    case 'unavailable':
      return {
        fr: [`Le serveur epnbox ne peut pas repondre pour ${who} (base de donnees).`, "Prevenez l'animateur."],
        en: [`The epnbox server cannot answer for ${who} (database).`, 'Please tell the staff.'],
      };
  }
}

/** The station cannot boot yet: say why on screen, wait, and ask again (never a silent hang). */
export function renderWaitScript(input: WaitScriptInput): string {
  checked(input.mac, 'MAC');
  checked(input.scriptUrl, 'script URL');
  const message = waitMessage(input);
  return lines(
    '#!ipxe',
    `# epnbox: ${input.reason} (${input.mac})`,
    ':epnbox-wait',
    'echo',
    `echo ${RULE}`,
    message.fr.map((line) => `echo ${line}`),
    `echo Nouvel essai dans ${input.retrySeconds} s.`,
    'echo',
    message.en.map((line) => `echo ${line}`),
    `echo Retrying in ${input.retrySeconds} s.`,
    `echo ${RULE}`,
    `sleep ${input.retrySeconds} ||`,
    `chain --replace --autofree ${input.scriptUrl} || goto epnbox-wait`,
  );
}

/** Firmware the catalogue's images cannot run on (ARM): say so and hand back to the firmware. */
export function renderUnsupportedArchScript(input: { mac: string; arch: string }): string {
  checked(`${input.mac} ${input.arch}`, 'MAC or arch');
  return lines(
    '#!ipxe',
    `# epnbox: unsupported architecture ${input.arch} (${input.mac})`,
    'echo',
    `echo ${RULE}`,
    `echo Architecture ${input.arch} non prise en charge : les images epnbox sont pour PC x86-64.`,
    `echo Architecture ${input.arch} is not supported: epnbox images are for x86-64 PCs.`,
    `echo ${RULE}`,
    'sleep 10 ||',
    'exit 1',
  );
}
