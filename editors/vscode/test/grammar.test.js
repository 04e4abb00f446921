'use strict';
// Tokenizes the shipped rule packs with the TextMate grammar and checks the
// scopes of every lexeme against a small independent lexer of the language.
// Run: npm test (in this folder).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const onig = require('vscode-oniguruma');
const { RULES_YAML_PATTERN } = require('../selector');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'kpi.tmLanguage.json');
const RULES = path.join(__dirname, '..', '..', '..', 'rules');
const FILES = [
  ...fs.readdirSync(RULES).filter((f) => f.endsWith('.kpi')).map((f) => path.join(RULES, f)),
  path.join(RULES, 'case-aem', 'aem.kpi'),
];

// Kept in step with src/syntax/fields.rs and src/check/functions.rs.
const FIELDS = new Set(['population', 'period', 'segments', 'benchmark', 'benchmark_min_peers',
  'max_segment_values', 'trend', 'min_group', 'description', 'weight', 'order', 'tags',
  'value', 'target', 'score', 'unit', 'better']);
const FUNCTIONS = new Set(['count', 'sum', 'avg', 'min', 'max', 'median', 'percentile', 'distinct',
  'any', 'all', 'share', 'round', 'abs', 'log', 'sqrt', 'coalesce', 'year', 'month',
  'days_between', 'lower', 'upper', 'len', 'contains', 'linear', 'bands', 'peers', 'prior']);
const ITEM_WORDS = new Set(['scorecard', 'param', 'use', 'profile', 'let', 'objective', 'indicator']);
const WORDS = new Set(['if', 'then', 'else', 'and', 'or', 'not', 'in', 'where', 'rhai']);
const CONSTANTS = new Set(['true', 'false', 'null']);

let grammarPromise;
function grammar() {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
        createOnigString: (s) => new onig.OnigString(s),
      }),
      loadGrammar: async (scope) =>
        scope === 'source.kpi' ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
    });
    return registry.loadGrammar('source.kpi');
  })();
  return grammarPromise;
}

// Tokens of each line: [{start, end, scopes}], plus the state after the last line.
async function tokenize(text) {
  const g = await grammar();
  let stack = vsctm.INITIAL;
  const lines = text.split(/\r?\n/).map((line, n) => {
    const r = g.tokenizeLine(line, stack);
    assert.equal(r.stoppedEarly, false, `line ${n + 1} stopped early`);
    stack = r.ruleStack;
    const tokens = r.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
    assert.equal(tokens[0].start, 0);
    tokens.forEach((t, i) => i > 0 && assert.equal(t.start, tokens[i - 1].end, `gap in line ${n + 1}`));
    assert.ok(tokens.at(-1).end >= line.length, `line ${n + 1} not covered`);
    return tokens;
  });
  const after = g.tokenizeLine('x', stack).tokens[0].scopes;
  return { lines, after };
}

function scopesAt(tokens, line, col) {
  const t = tokens.lines[line].find((t) => t.start <= col && col < t.end);
  assert.ok(t, `no token at ${line + 1}:${col + 1}`);
  return t.scopes;
}

const has = (scopes, prefix) => scopes.some((s) => s.startsWith(prefix));

// An independent lexer: [{kind, line, col, text}].
function lex(text) {
  const rules = [
    ['comment', /\/\/[^\n]*|\/\*[\s\S]*?\*\//y],
    ['string', /"(?:[^"\\\n]|\\.)*"/y],
    ['rhai', /rhai\s*\{/y],
    ['date', /\d{4}-\d{2}-\d{2}(?![\d%])/y],
    ['percent', /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%/y],
    ['number', /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
    ['word', /[\p{L}\p{Nl}_][\p{L}\p{N}\p{M}\p{Pc}]*/uy],
    ['other', /\s+|[^\s]/uy],
  ];
  const out = [];
  let pos = 0;
  while (pos < text.length) {
    for (const [kind, re] of rules) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) continue;
      if (kind === 'rhai') m[0] = rhaiBlock(text, pos, m[0].length);
      const before = text.slice(0, pos).split('\n');
      const rest = text.slice(pos + m[0].length);
      const next = rest.trimStart();
      out.push({
        kind, text: m[0], line: before.length - 1, col: before.at(-1).length,
        call: next.startsWith('('), field: /^=(?!=)/.test(next), member: rest.startsWith('.') && !rest.startsWith('..'),
        afterDot: text[pos - 1] === '.' && text[pos - 2] !== '.',
      });
      pos += m[0].length;
      break;
    }
  }
  return out;
}

// The text of `rhai { .. }` from `pos`: braces nest, except in strings and comments.
function rhaiBlock(text, pos, open) {
  let depth = 1;
  let i = pos + open;
  const skip = /"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:\\.|[^'\\])'|\/\/[^\n]*|\/\*[\s\S]*?\*\//y;
  while (depth > 0 && i < text.length) {
    skip.lastIndex = i;
    const m = skip.exec(text);
    if (m) { i += m[0].length; continue; }
    if (text[i] === '{') depth++;
    if (text[i] === '}') depth--;
    i++;
  }
  return text.slice(pos, i);
}

// The scope prefixes a lexeme must carry on every one of its characters.
function expected(lexeme) {
  const { kind, text } = lexeme;
  if (kind === 'rhai') return ['meta.embedded.block.rhai'];
  if (kind === 'comment') return ['comment.'];
  if (kind === 'string') return ['string.'];
  if (kind === 'date' || kind === 'percent' || kind === 'number') return ['constant.numeric.'];
  if (kind !== 'word') return null;
  if (ITEM_WORDS.has(text)) return ['storage.type.', 'keyword.'];
  if (WORDS.has(text)) return ['keyword.'];
  if (CONSTANTS.has(text)) return ['constant.language.'];
  if (lexeme.field && FIELDS.has(text)) return ['support.type.property-name.'];
  if (lexeme.call && FUNCTIONS.has(text)) return ['support.function.'];
  if (lexeme.call) return ['entity.name.function.'];
  return ['variable.', 'entity.name.'];
}

test('the grammar file is well formed', () => {
  const g = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
  assert.equal(g.scopeName, 'source.kpi');
  const text = JSON.stringify(g);
  for (const [, name] of text.matchAll(/"include":"#([^"]+)"/g)) {
    assert.ok(g.repository[name], `#${name} is included but not defined`);
  }
});

test('the rule packs tokenize with the expected scopes', async (t) => {
  const counts = {};
  let lineCount = 0;
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    const tokens = await tokenize(text);
    lineCount += tokens.lines.length - (text.endsWith('\n') ? 1 : 0);
    assert.deepEqual(tokens.after, ['source.kpi', 'variable.other.kpi'], `${file}: a rule is left open`);
    for (const lexeme of lex(text)) {
      const want = expected(lexeme);
      if (!want) continue;
      const key = lexeme.kind === 'word' ? want[0] : lexeme.kind;
      counts[key] = (counts[key] || 0) + 1;
      const lines = lexeme.text.split('\n');
      lines.forEach((part, i) => {
        for (let c = 0; c < part.length; c++) {
          const scopes = scopesAt(tokens, lexeme.line + i, (i === 0 ? lexeme.col : 0) + c);
          assert.ok(want.some((p) => has(scopes, p)),
            `${path.relative(RULES, file)}:${lexeme.line + i + 1}: ${JSON.stringify(lexeme.text)} ` +
            `has ${scopes.join(' ')}, wants ${want.join(' or ')}`);
        }
      });
      if (lexeme.member) assert.ok(has(scopesAt(tokens, lexeme.line, lexeme.col), 'variable.other.object'));
      if (lexeme.afterDot) assert.ok(has(scopesAt(tokens, lexeme.line, lexeme.col), 'variable.other.property'));
    }
  }
  // Each kind is met in the packs, so none of the checks above is empty
  // (the packs have no true/false/null: a case below has them).
  for (const key of ['comment', 'string', 'date', 'percent', 'number', 'storage.type.', 'keyword.',
    'support.type.property-name.', 'support.function.', 'entity.name.function.']) {
    assert.ok(counts[key] > 0, `no ${key} in the packs`);
  }
  const summary = `tokenized ${FILES.length} files, ${lineCount} lines; checked ` +
    Object.entries(counts).map(([k, n]) => `${n} ${k.replace(/\.$/, '')}`).join(', ');
  t.diagnostic(summary);
});

test('spot checks on the packs', async () => {
  const text = fs.readFileSync(path.join(RULES, 'scorecard.kpi'), 'utf8');
  const tokens = await tokenize(text);
  const src = text.split('\n');
  const at = (needle, offset = 0) => {
    const line = src.findIndex((l) => l.includes(needle));
    assert.ok(line >= 0, needle);
    return scopesAt(tokens, line, src[line].indexOf(needle) + offset);
  };
  assert.ok(has(at('// Alumni relations'), 'comment.line.double-slash'));
  assert.ok(has(at('"peers.csv"'), 'string.quoted.double'));
  assert.ok(has(at('{period}'), 'constant.other.placeholder'));
  assert.ok(has(at('2025-09-01'), 'constant.numeric.date'));
  assert.ok(has(at('..'), 'keyword.operator.range'));
  assert.ok(has(at('2026-08-31', 9), 'constant.numeric.date'));
  assert.ok(has(at('80%', 2), 'constant.numeric.percentage'));
  assert.ok(has(at('count(participations where invited)'), 'support.function.aggregate'));
  assert.ok(has(at('where invited'), 'keyword.other.where'));
  assert.ok(has(at('profile alumni'), 'storage.type.profile'));
  assert.ok(has(at('profile alumni', 8), 'entity.name.type.table'));
  assert.ok(has(at('population ='), 'support.type.property-name'));
  assert.ok(has(at('events_attended ='), 'variable.other.definition'));
  assert.ok(has(at('overlaps('), 'entity.name.function.plugin'));
  assert.ok(has(at('alumni.tier', 6), 'punctuation.accessor'));
  assert.ok(has(at('else if engagement'), 'keyword.control.conditional'));

  const engagement = fs.readFileSync(path.join(RULES, 'engagement.kpi'), 'utf8');
  const e = await tokenize(engagement);
  const el = engagement.split('\n');
  const line = el.findIndex((l) => l.includes('objective engagement'));
  assert.ok(has(scopesAt(e, line, 0), 'storage.type.objective'));
  assert.ok(has(scopesAt(e, line, 10), 'entity.name.type.objective'));
  const ind = el.findIndex((l) => l.includes('indicator identified'));
  assert.ok(has(scopesAt(e, ind, el[ind].indexOf('indicator')), 'storage.type.indicator'));
  const prior = el.findIndex((l) => l.includes('prior(value)'));
  assert.ok(has(scopesAt(e, prior, el[prior].indexOf('prior')), 'support.function.prior'));
  assert.ok(has(scopesAt(e, prior, el[prior].indexOf('value)')), 'variable.language'));
});

// Tricky snippets: [source, [[line, column of needle, needle occurrence, wanted prefix, or '!prefix']]].
const CASES = {
  '`//` inside a string is no comment': [
    'description = "see https://example.org // not a comment"',
    [[0, '//example', 'string.quoted'], [0, '//example', '!comment'], [0, '// not', '!comment']],
  ],
  'escapes in strings': [
    'description = "say \\"hi\\" // still text" // a comment',
    [[0, '\\"hi', 'constant.character.escape'], [0, '// still', 'string.'], [0, '// a comment', 'comment.line']],
  ],
  'a block comment across lines': [
    'let a = 1 /* one\n two // three\n four */ let b = 2',
    [[0, '/*', 'comment.block'], [1, 'two', 'comment.block'], [1, '//', '!comment.line'],
      [2, 'four', 'comment.block'], [2, 'let', 'storage.type.let'], [2, 'let', '!comment'], [2, '2', 'constant.numeric']],
  ],
  'an inline rhai block with nested braces': [
    'let s = rhai {\n  let m = "}"; // }\n  if m == "x" { 1 } else { 2 }\n}\nlet t = count(x)',
    [[0, 'rhai', 'keyword.other.rhai'], [1, 'let', 'meta.embedded.block.rhai'], [1, '"}"', 'string.quoted.double.rhai'],
      [1, '// }', 'comment.line'], [2, '{ 1 }', 'meta.embedded.block.rhai'], [2, 'else', 'meta.embedded.block.rhai'],
      [3, '}', 'punctuation.section.embedded.end'], [4, 'let', '!meta.embedded'], [4, 'count', 'support.function.aggregate']],
  ],
  'a rhai block on one line': [
    'let scripted = rhai { let base = 100; base * 2 } + 1',
    [[0, '100', 'constant.numeric.rhai'], [0, '} +', 'punctuation.section.embedded.end'], [0, '+ 1', '!meta.embedded']],
  ],
  'an unclosed string ends with its line': [
    'unit = "EUR\nweight = 2',
    [[0, 'EUR', 'string.quoted'], [1, 'weight', 'support.type.property-name'], [1, '2', 'constant.numeric']],
  ],
  'words inside longer names are no keywords': [
    'let notable = android or inside and band_count',
    [[0, 'notable', '!keyword'], [0, 'android', '!keyword'], [0, 'or ', 'keyword.operator.logical'],
      [0, 'inside', '!keyword'], [0, 'band_count', 'variable.other']],
  ],
  'comparisons are not definitions': [
    'engaged = tier != "dormant" and modes >= 2 and x == 1',
    [[0, 'engaged', 'variable.other.definition'], [0, 'tier', 'variable.other'], [0, 'tier', '!variable.other.definition'],
      [0, '!=', 'keyword.operator.comparison'], [0, 'modes', '!variable.other.definition'], [0, 'x ==', '!variable.other.definition']],
  ],
  'unicode names and numbers': [
    'param bénévolat = 1e6 + 0.5 - 12%\nlet à_vérifier = bénévolat',
    [[0, 'bénévolat', 'variable.other.constant.param'], [0, 'névolat', 'variable.other.constant.param'],
      [0, '1e6', 'constant.numeric.decimal'], [0, '0.5', 'constant.numeric.decimal'], [0, '%', 'keyword.other.unit.percent'],
      [1, 'à_vérifier', 'entity.name.variable.let'], [1, 'bénévolat', 'variable.other']],
  ],
  'bands, lists, booleans and null': [
    'score = bands(20%: 25, 40%: 60)\ntags = ["a", "b"]\nsegments = false\nx = coalesce(null, 1)',
    [[0, 'bands', 'support.function.scoring'], [0, ':', 'punctuation.separator'], [1, '"a"', 'string.'],
      [2, 'false', 'constant.language.boolean'], [3, 'null', 'constant.language.null'], [3, 'coalesce', 'support.function.builtin']],
  ],
  'a period split over lines': [
    'period = 2025-09-01\n  .. 2026-08-31',
    [[0, '2025', 'constant.numeric.date'], [1, '..', 'keyword.operator.range'], [1, '2026', 'constant.numeric.date']],
  ],
};

for (const [name, [source, checks]] of Object.entries(CASES)) {
  test(`case: ${name}`, async () => {
    const tokens = await tokenize(source);
    const lines = source.split('\n');
    for (const [line, needle, want] of checks) {
      const col = lines[line].indexOf(needle);
      assert.ok(col >= 0, `${needle} not in line ${line + 1}`);
      const scopes = scopesAt(tokens, line, col);
      const negate = want.startsWith('!');
      const prefix = negate ? want.slice(1) : want;
      assert.equal(has(scopes, prefix), !negate, `${JSON.stringify(needle)}: ${scopes.join(' ')}; wants ${want}`);
    }
  });
}

test('the YAML selector takes rule files and leaves *.test.yaml out', () => {
  // A reduced copy of VS Code's glob rules for this pattern: `{a,b}`, `*`, `[!x]`, `**/`.
  const toRegExp = (glob) => new RegExp('^' + glob
    .replace(/\{([^}]*)\}/g, (_, alts) => `(?:${alts.split(',').join('|')})`)
    .replace(/\*\*\//g, '\u0000').replace(/\./g, '\\.').replace(/\*/g, '[^/]*')
    .replace(/\[!/g, '[^').replace(/\u0000/g, '(?:[^/]*/)*') + '$');
  const re = toRegExp(RULES_YAML_PATTERN);
  for (const p of ['/w/rules/cost.yaml', '/w/rules/lists.yml', '/w/rules/case/a.yaml', '/w/rules/test.yaml',
    '/w/rules/latest.yaml', '/w/rules/contest.yaml', '/w/rules/t.yaml', '/w/rules/x.tests.yaml']) {
    assert.ok(re.test(p), `${p} should match`);
  }
  for (const p of ['/w/rules/cost.test.yaml', '/w/rules/a/b.test.yml', '/w/data/cost.yaml', '/w/rules/cost.json']) {
    assert.ok(!re.test(p), `${p} should not match`);
  }
});
