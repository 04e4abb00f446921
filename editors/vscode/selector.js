'use strict';

// YAML rule files: `*.yaml` and `*.yml` under a `rules` folder, except the
// `*.test.yaml` / `*.test.yml` files. VS Code globs have no negation, so the
// file stem is spelt out as "anything that does not end in `.test`".
const NOT_TEST_STEM = '{*[!t],*[!s]t,*[!e]st,*[!t]est,*[!.]test,t,st,est,test}';
const RULES_YAML_PATTERN = `**/rules/**/${NOT_TEST_STEM}.{yaml,yml}`;

const documentSelector = [
  { language: 'kpi' },
  { scheme: 'file', language: 'yaml', pattern: RULES_YAML_PATTERN },
];

module.exports = { RULES_YAML_PATTERN, documentSelector };
