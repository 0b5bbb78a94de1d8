import { pathToFileURL } from 'node:url';
import { EXPAND_CONTRACT_RULES } from './expand-contract-rules';
import { findingAdvice } from './finding-advice';
import type { LintFileResult } from './lint-sql';
import { reportPath } from './report-path';
import type { LintFinding } from './types';

/*
 * SARIF 2.1.0, the format GitHub code scanning (and other tools) import. Our pass is the run's driver;
 * Squawk is an extension with its own name, version and rules, so a code-scanning alert says which
 * tool raised it and links Squawk's rule page. Only the shapes written here are typed.
 */

/** The OASIS standard's schema, errata 01: what a consumer validates against. */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Where file URIs are relative to; SARIF consumers (GitHub among them) know this name for the checkout. */
const SRCROOT = '%SRCROOT%';

export interface SarifToolInfo {
  name: string;
  version: string;
  /** Where to read about the tool; left out when not known. */
  informationUri?: string;
}

export interface ToSarifOptions {
  /** This product. */
  tool: SarifToolInfo;
  /** The Squawk that ran. */
  squawk: SarifToolInfo;
  /** File paths are written relative to it: the repository's root in CI. */
  cwd: string;
}

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: 'error' | 'warning' };
}

interface SarifComponent extends SarifToolInfo {
  rules: SarifRule[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  /** Names the extension for Squawk's rules; absent, the rule is the driver's. */
  rule?: { id: string; index: number; toolComponent: { index: number } };
  level: 'error' | 'warning';
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: string };
      region: { startLine: number; startColumn?: number };
    };
  }[];
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: SarifComponent; extensions: SarifComponent[] };
    originalUriBaseIds: Record<string, { uri: string }>;
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
  }[];
}

const SQUAWK_EXTENSION = 0;

/** One SARIF run over every file's findings, with the rules that fired described once each. */
export function toSarif(results: readonly LintFileResult[], options: ToSarifOptions): SarifLog {
  const driver: SarifComponent = { ...options.tool, rules: [] };
  const squawk: SarifComponent = { ...options.squawk, informationUri: options.squawk.informationUri ?? 'https://squawkhq.com', rules: [] };

  const ruleIndex = (f: LintFinding): number => {
    const component = f.source === 'squawk' ? squawk : driver;
    const known = component.rules.findIndex((r) => r.id === f.rule);
    if (known !== -1) return known;
    component.rules.push(f.source === 'squawk' ? squawkRule(f) : ourRule(f));
    return component.rules.length - 1;
  };

  const sarifResults = results.flatMap((result) => {
    const uri = reportPath(result.file, options.cwd).split('/').map(encodeURIComponent).join('/');
    return result.findings.map((f): SarifResult => {
      const index = ruleIndex(f);
      return {
        ruleId: f.rule,
        ruleIndex: index,
        ...(f.source === 'squawk' ? { rule: { id: f.rule, index, toolComponent: { index: SQUAWK_EXTENSION } } } : {}),
        level: f.severity,
        message: { text: [f.message, ...findingAdvice(f)].join('\n') },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, uriBaseId: SRCROOT },
              region: { startLine: f.line, ...(f.column === undefined ? {} : { startColumn: f.column }) },
            },
          },
        ],
      };
    });
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver, extensions: [squawk] },
        // A base URI must end in a slash to be one (SARIF §3.14.14).
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(options.cwd).href.replace(/\/?$/, '/') } },
        // Our columns count JavaScript string units, which are UTF-16 code units.
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
}

function ourRule(f: LintFinding): SarifRule {
  const known = EXPAND_CONTRACT_RULES[f.rule];
  return {
    id: f.rule,
    shortDescription: { text: known?.summary ?? f.message },
    fullDescription: { text: known?.summary ?? f.message },
    help: { text: known?.help ?? f.help ?? f.message },
    defaultConfiguration: { level: f.severity },
  };
}

/** Squawk describes its rules only through its findings; its rule page says the rest. */
function squawkRule(f: LintFinding): SarifRule {
  const helpUri = `https://squawkhq.com/docs/${encodeURIComponent(f.rule)}`;
  return {
    id: f.rule,
    shortDescription: { text: f.message },
    fullDescription: { text: f.message },
    help: { text: `${f.help ? `${f.help} ` : ''}Squawk's explanation and fixes: ${helpUri}` },
    helpUri,
    // Squawk calls every rule a warning: the level is ours, by rule (see toSeverity).
    defaultConfiguration: { level: f.severity },
  };
}
