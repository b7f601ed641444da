export declare const binding: Record<string, unknown>;
