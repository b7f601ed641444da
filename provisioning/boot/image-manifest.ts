import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isImageFileName } from './image-names.ts';

/**
 * `manifest.json` of one image version: what the version holds, with sizes and
 * SHA-256 sums. Written once when the version is sealed; a sealed version never
 * changes (switching a profile is a pointer update, not a file copy).
 */
export const ImageManifestSchema = Type.Object({
  format: Type.Literal(1),
  name: Type.String(),
  version: Type.String(),
  /** ISO 8601. */
  sealedAt: Type.String(),
  files: Type.Record(Type.String(), Type.Object({ size: Type.Integer({ minimum: 0 }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false })),
});

export type ImageManifest = Static<typeof ImageManifestSchema>;

/** The manifest, or a one-line reason it cannot be trusted. */
export function parseManifest(text: string, expected: { name: string; version: string }): { manifest: ImageManifest } | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { invalid: 'not JSON' };
  }
  if (!Value.Check(ImageManifestSchema, value)) {
    const first = Value.Errors(ImageManifestSchema, value).First();
    return { invalid: `${first?.path || '/'}: ${first?.message ?? 'invalid'}` };
  }
  if (value.name !== expected.name || value.version !== expected.version) return { invalid: `names ${value.name} ${value.version}, folder ${expected.name} ${expected.version}` };
  const bad = Object.keys(value.files).find((file) => !isImageFileName(file));
  if (bad !== undefined) return { invalid: `file name ${JSON.stringify(bad)}` };
  return { manifest: value };
}

export function manifestText(manifest: ImageManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
