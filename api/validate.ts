/**
 * Checks that a posted value is a well-formed {@linkcode MifRequest}: known
 * type, every required field present with the right type, no unknown field,
 * addresses valid (and made canonical by the WebAssembly core). The checks
 * are a table, one row per message, so the rules stay in one place.
 *
 * @module
 */

import { parseIpAddress } from "../core-as/ip_address.ts";
import { MifError } from "./errors.ts";
import {
  CONFIGURATION_INFORMATION_IDS,
  type ConfigurationElementType,
  type MifRequest,
  type MifRequestType,
} from "./messages.ts";

type FieldKind =
  | "interface-id"
  | "pvd-id"
  | "element-type"
  | "information-id"
  | "name"
  | "identifier"
  | "address"
  | "port";

/** A field rule: its kind and whether it may be left out. */
type FieldRule = readonly [FieldKind, "required" | "optional"];

const REQUIRED = "required";
const OPTIONAL = "optional";

const RULES: { readonly [T in MifRequestType]: Readonly<Record<string, FieldRule>> } = {
  "announce-interfaces": {},
  "stop-announcing-interfaces": {},
  "announce-provisioning-domains": { interfaceId: ["interface-id", REQUIRED] },
  "stop-announcing-provisioning-domains": { interfaceId: ["interface-id", REQUIRED] },
  "announce-configuration-elements": { pvdId: ["pvd-id", REQUIRED], elementType: ["element-type", OPTIONAL] },
  "stop-announcing-configuration-elements": { pvdId: ["pvd-id", OPTIONAL] },
  "announce-addresses": { pvdId: ["pvd-id", REQUIRED] },
  "stop-announcing-addresses": { pvdId: ["pvd-id", OPTIONAL] },
  "get-configuration-data": {
    pvdId: ["pvd-id", REQUIRED],
    elementType: ["element-type", REQUIRED],
    informationId: ["information-id", REQUIRED],
  },
  "translate-name": {
    pvdId: ["pvd-id", REQUIRED],
    name: ["name", REQUIRED],
    translationId: ["identifier", REQUIRED],
  },
  "stop-translating-name": { translationId: ["identifier", REQUIRED] },
  "connect-to-pvd": {
    pvdId: ["pvd-id", REQUIRED],
    name: ["name", REQUIRED],
    port: ["port", REQUIRED],
    connectionId: ["identifier", REQUIRED],
  },
  "connect-to-address": {
    address: ["address", REQUIRED],
    port: ["port", REQUIRED],
    pvdId: ["pvd-id", REQUIRED],
    connectionId: ["identifier", REQUIRED],
  },
  "connect-to-address-from-address": {
    sourceAddress: ["address", REQUIRED],
    address: ["address", REQUIRED],
    port: ["port", REQUIRED],
    pvdId: ["pvd-id", REQUIRED],
    connectionId: ["identifier", REQUIRED],
  },
  "wants-to-connect": {},
  "connection-is-idle": { connectionId: ["identifier", OPTIONAL] },
  "connection-can-be-broken": { connectionId: ["identifier", OPTIONAL] },
};

const ELEMENT_TYPES: readonly ConfigurationElementType[] = ["ra", "dhcpv6", "dhcpv4", "static"];
/** Longest identifier or name accepted, in UTF-16 code units: ample for a DNS name (253) in any script. */
const MAX_TEXT = 1024;

/** Names a value's type for an error message. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function checkText(type: string, field: string, value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new MifError("malformed-request", `Cannot accept ${type}: ${field} must be ${what}, got ${describe(value)}`, {
      field,
    });
  }
  if (value.length === 0 || value.length > MAX_TEXT || value.includes("\u0000")) {
    throw new MifError(
      "malformed-request",
      `Cannot accept ${type}: ${field} must be 1 to ${MAX_TEXT} characters without NUL`,
      { field },
    );
  }
  return value;
}

function checkField(type: string, field: string, kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case "interface-id":
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        throw new MifError(
          "malformed-request",
          `Cannot accept ${type}: ${field} must be a non-negative integer, got ${describe(value)}`,
          { field },
        );
      }
      return value;
    case "port":
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) {
        throw new MifError(
          "malformed-request",
          `Cannot accept ${type}: ${field} must be an integer from 1 to 65535, got ${describe(value)}`,
          { field },
        );
      }
      return value;
    case "element-type":
      if (!ELEMENT_TYPES.includes(value as ConfigurationElementType)) {
        throw new MifError(
          "malformed-request",
          `Cannot accept ${type}: ${field} must be one of ${ELEMENT_TYPES.join(", ")}, got ${describe(value)}`,
          { field },
        );
      }
      return value;
    case "information-id":
      if (!(CONFIGURATION_INFORMATION_IDS as readonly unknown[]).includes(value)) {
        throw new MifError(
          "malformed-request",
          `Cannot accept ${type}: ${field} must be one of ${CONFIGURATION_INFORMATION_IDS.join(", ")}, got ${
            describe(value)
          }`,
          { field },
        );
      }
      return value;
    case "address": {
      const text = checkText(type, field, value, "an IP address string");
      try {
        return parseIpAddress(text).text;
      } catch (cause) {
        throw new MifError("invalid-address", `Cannot accept ${type}: ${field}: ${(cause as Error).message}`, {
          field,
          cause,
        });
      }
    }
    case "pvd-id":
      return checkText(type, field, value, "a provisioning domain identifier string");
    case "name":
      return checkText(type, field, value, "a name string");
    case "identifier":
      return checkText(type, field, value, "an identifier string");
  }
}

/**
 * Checks a posted value and returns it as a {@linkcode MifRequest} with
 * canonical addresses, or throws a {@linkcode MifError} naming the first
 * problem (code `malformed-request`, `unknown-request-type` or
 * `invalid-address`, with `field` set).
 *
 * @example
 * ```ts
 * import { validateRequest } from "./validate.ts";
 *
 * const request = validateRequest({
 *   type: "connect-to-address", address: "2001:DB8::0:1", port: 443, pvdId: "p", connectionId: "c1",
 * });
 * if (request.type !== "connect-to-address" || request.address !== "2001:db8::1") throw new Error("not canonical");
 * ```
 */
export function validateRequest(value: unknown): MifRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MifError("malformed-request", `Cannot accept message: expected an object, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string" || !Object.hasOwn(RULES, type)) {
    throw new MifError("unknown-request-type", `Cannot accept message: unknown type ${describe(type)}`, {
      field: "type",
    });
  }
  const rules = RULES[type as MifRequestType];
  const out: Record<string, unknown> = { type };
  for (const field of Object.keys(record)) {
    if (field !== "type" && !Object.hasOwn(rules, field)) {
      throw new MifError("malformed-request", `Cannot accept ${type}: unknown field ${JSON.stringify(field)}`, {
        field,
      });
    }
  }
  for (const [field, [kind, presence]] of Object.entries(rules)) {
    const fieldValue = record[field];
    if (fieldValue === undefined) {
      if (presence === REQUIRED) {
        throw new MifError("malformed-request", `Cannot accept ${type}: missing field ${field}`, { field });
      }
      continue;
    }
    out[field] = checkField(type, field, kind, fieldValue);
  }
  return out as unknown as MifRequest;
}
