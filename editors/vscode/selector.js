'use strict';

// YAML rule files: `*.yaml` and `*.yml` under a `rules` folder, except the
// `*.test.yaml` / `*.test.yml` files. VS Code globs have no negation, so the
// file stem is spelt out as "anything that does not end in `.test`".
const NOT_TEST_STEM = '{*[!t],*[!s]t,*[!e]st,*[!t]est,*[!.]test,t,st,est,test}';
const RULES_YAML_PATTERN = `**/rules/**/${NOT_TEST_STEM}.{yaml,yml}`;

// Rule test files: the server checks them against their rules (not as
// rules).
const TEST_YAML_PATTERN = '**/*.test.{yaml,yml}';

const documentSelector = [
  { language: 'kpi' },
  { scheme: 'file', language: 'yaml', pattern: RULES_YAML_PATTERN },
  { scheme: 'file', language: 'yaml', pattern: TEST_YAML_PATTERN },
];

module.exports = { RULES_YAML_PATTERN, TEST_YAML_PATTERN, documentSelector };
