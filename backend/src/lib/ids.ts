import { v7 as uuidv7 } from "uuid";

/** Opaque, time-ordered ids (UUIDv7) for every resource; never sequential integers. */
export const newId = (): string => uuidv7();
