// The JavaScript side of the Nimbus function runtime, evaluated once per context before any user
// module. It defines the function constructors (query, mutation, ...), the `ctx` object a handler
// receives, and the per-invocation entry point. Every effect goes through __nimbusHost.call(op,
// payloadJson), which the Java side answers with {"ok": value} or {"error": {code, message, id}}.
(function () {
  'use strict';
  const host = globalThis.__nimbusHost;
  delete globalThis.__nimbusHost;

  function call(op, payload) {
    const reply = JSON.parse(host.call(op, JSON.stringify(payload === undefined ? null : payload)));
    if (reply.error) {
      const e = new Error(reply.error.message);
      e.code = reply.error.code;
      e.hostErrorId = reply.error.id;
      throw e;
    }
    return reply.ok;
  }

  // ---- function definitions --------------------------------------------------------------
  function define(kind, internal) {
    return function (def) {
      const handler = typeof def === 'function' ? def : (def && def.handler);
      if (typeof handler !== 'function') {
        throw new TypeError(kind + '(...) needs a handler function or {handler}');
      }
      return Object.freeze({ __nimbusFunction: true, kind, internal, handler, args: def.args });
    };
  }
  const server = {
    query: define('query', false),
    internalQuery: define('query', true),
    mutation: define('mutation', false),
    internalMutation: define('mutation', true),
    action: define('action', false),
    internalAction: define('action', true),
    httpAction: (handler) => define('http_action', false)(handler),
  };
  // Function references: api.messages.list or internal.lib.util.fn name "messages:list" / "lib/util:fn".
  function reference(path) {
    return new Proxy({}, {
      get(_, key) {
        if (key === '__nimbusRef') {
          return path.length < 2 ? path.join('') : path.slice(0, -1).join('/') + ':' + path[path.length - 1];
        }
        if (typeof key === 'symbol') return undefined;
        return reference(path.concat([key]));
      },
    });
  }
  server.api = reference([]);
  server.internal = reference([]);
  server.makeFunctionReference = (name) => name;
  // Validators are accepted and kept as descriptions; arguments are not checked against them.
  const validator = (kind) => (...inner) => ({ kind, inner });
  server.v = new Proxy({}, { get: (_, kind) => validator(String(kind)) });
  server.defineSchema = (tables) => ({ tables, schemaValidation: true });
  server.defineTable = (fields) => {
    const t = { fields, indexes: [], index(name, f) { this.indexes.push({ name, fields: f }); return this; } };
    return t;
  };
  globalThis.__nimbusServer = server;

  function refName(ref) {
    if (typeof ref === 'string') return ref;
    if (ref && typeof ref.__nimbusRef === 'string') return ref.__nimbusRef;
    throw new TypeError('a function reference is a name like "messages:list" or api.messages.list');
  }

  // ---- queries ---------------------------------------------------------------------------
  function filterBuilder() {
    const op = (name) => (...operands) => ({ op: name, operands });
    return {
      field: (path) => ({ field: path }),
      eq: op('eq'), neq: op('neq'), lt: op('lt'), lte: op('lte'), gt: op('gt'), gte: op('gte'),
      and: op('and'), or: op('or'), not: op('not'),
      add: op('add'), sub: op('sub'), mul: op('mul'), div: op('div'), mod: op('mod'), neg: op('neg'),
    };
  }
  function rangeBuilder(conditions) {
    const b = {};
    for (const op of ['eq', 'gt', 'gte', 'lt', 'lte']) {
      b[op] = (field, value) => { conditions.push({ op, field, value }); return b; };
    }
    return b;
  }
  function queryBuilder(table) {
    const spec = { table, index: null, range: [], filters: [], order: 'asc' };
    const q = {
      withIndex(index, range) {
        spec.index = index;
        if (range) range(rangeBuilder(spec.range));
        return q;
      },
      withSearchIndex() {
        throw new Error('withSearchIndex is not supported by Nimbus functions');
      },
      filter(fn) {
        spec.filters.push(fn(filterBuilder()));
        return q;
      },
      order(direction) {
        if (direction !== 'asc' && direction !== 'desc') throw new TypeError('order is "asc" or "desc"');
        spec.order = direction;
        return q;
      },
      async collect() { return call('db_query', Object.assign({}, spec, { limit: null })); },
      async take(n) { return call('db_query', Object.assign({}, spec, { limit: n })); },
      async first() {
        const r = call('db_query', Object.assign({}, spec, { limit: 1 }));
        return r.length ? r[0] : null;
      },
      async unique() {
        const r = call('db_query', Object.assign({}, spec, { limit: 2 }));
        if (r.length > 1) throw new Error('unique() found more than one document in ' + table);
        return r.length ? r[0] : null;
      },
      async paginate(opts) {
        return call('db_paginate', Object.assign({}, spec, {
          numItems: opts && opts.numItems, cursor: (opts && opts.cursor) || null }));
      },
      [Symbol.asyncIterator]() {
        let rows = null;
        let i = 0;
        return {
          next: async () => {
            if (rows === null) rows = call('db_query', Object.assign({}, spec, { limit: null }));
            return i < rows.length ? { value: rows[i++], done: false } : { value: undefined, done: true };
          },
        };
      },
    };
    return q;
  }

  // ---- ctx ------------------------------------------------------------------------------
  // The db methods are created once per context; each invocation gets fresh ctx objects that
  // refer to them (a handler may change its ctx without touching the next invocation's).
  const dbGet = async (a, b) => call('db_get', b === undefined ? { table: null, id: a } : { table: a, id: b });
  const dbQuery = (table) => queryBuilder(table);
  const dbNormalizeId = (table, id) => (typeof id === 'string' && id.length > 0 ? id : null);
  const dbInsert = async (table, doc) => call('db_insert', { table, doc });
  const dbPatch = async (a, b, c) => {
    const p = c === undefined ? { table: null, id: a, doc: b } : { table: a, id: b, doc: c };
    p.unset = Object.keys(p.doc || {}).filter((k) => p.doc[k] === undefined);
    return call('db_patch', p);
  };
  const dbReplace = async (a, b, c) => call('db_replace', c === undefined ? { table: null, id: a, doc: b } : { table: a, id: b, doc: c });
  const dbDelete = async (a, b) => call('db_delete', b === undefined ? { table: null, id: a } : { table: a, id: b });
  function reader() {
    return { get: dbGet, query: dbQuery, normalizeId: dbNormalizeId };
  }
  function writer() {
    return {
      get: dbGet, query: dbQuery, normalizeId: dbNormalizeId,
      insert: dbInsert, patch: dbPatch, replace: dbReplace, delete: dbDelete,
    };
  }
  const scheduler = {
    runAfter: async (delayMs, ref, args) => call('scheduler_run_after', { delayMs, name: refName(ref), args: args === undefined ? {} : args }),
    runAt: async (at, ref, args) => call('scheduler_run_at', { at: at instanceof Date ? at.getTime() : at, name: refName(ref), args: args === undefined ? {} : args }),
    cancel: async (id) => call('scheduler_cancel', { id }),
  };
  const auth = { getUserIdentity: async () => call('auth_identity') };
  function runner(kind) {
    return async (ref, args) => call('run', { kind, name: refName(ref), args: args === undefined ? {} : args });
  }
  function makeCtx(kind) {
    switch (kind) {
      case 'query': return { db: reader(), auth };
      case 'mutation': return { db: writer(), auth, scheduler };
      default: return {
        auth, scheduler,
        runQuery: runner('query'), runMutation: runner('mutation'), runAction: runner('action'),
      };
    }
  }

  // ---- determinism and capabilities ------------------------------------------------------
  const RealDate = Date;
  const realRandom = Math.random;
  let fixedNow = null;
  let seed = 0;
  // The invocation's seed as Java passed it; turned into the BigInt state on first use only.
  let pendingSeed = null;
  function seededRandom() {
    if (pendingSeed !== null) {
      seed = BigInt.asUintN(64, BigInt(pendingSeed)) || 0x9E3779B97F4A7C15n;
      pendingSeed = null;
    }
    // xorshift64*: a fixed sequence per invocation seed.
    seed ^= seed << 13n; seed &= 0xffffffffffffffffn;
    seed ^= seed >> 7n;
    seed ^= seed << 17n; seed &= 0xffffffffffffffffn;
    return Number((seed * 0x2545F4914F6CDD1Dn & 0xffffffffffffffffn) >> 11n) / 9007199254740992;
  }
  function NimbusDate(...args) {
    if (!new.target) return new RealDate(fixedNow === null ? RealDate.now() : fixedNow).toString();
    if (args.length === 0) return new RealDate(fixedNow === null ? RealDate.now() : fixedNow);
    return new RealDate(...args);
  }
  NimbusDate.prototype = RealDate.prototype;
  NimbusDate.now = () => (fixedNow === null ? RealDate.now() : fixedNow);
  NimbusDate.parse = RealDate.parse;
  NimbusDate.UTC = RealDate.UTC;
  globalThis.Date = NimbusDate;
  Math.random = () => (fixedNow === null ? realRandom() : seededRandom());

  let actionCapabilities = false;
  globalThis.fetch = async function (url, init) {
    if (!actionCapabilities) throw new Error('fetch is only available in actions');
    init = init || {};
    const r = call('fetch', { url: String(url), method: init.method || 'GET', headers: init.headers || {},
      body: init.body === undefined ? null : String(init.body) });
    return {
      status: r.status, ok: r.status >= 200 && r.status < 300, headers: new Map(Object.entries(r.headers)),
      text: async () => r.body, json: async () => JSON.parse(r.body),
    };
  };
  globalThis.process = {
    env: new Proxy({}, {
      get(_, name) {
        if (typeof name !== 'string') return undefined;
        if (!actionCapabilities) throw new Error('environment variables are only available in actions');
        const v = call('env', { name });
        return v === null ? undefined : v;
      },
    }),
  };

  // ---- console -----------------------------------------------------------------------------
  function show(v) {
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }
  const log = (level) => (...items) => host.log(level, items.map(show).join(' '));
  globalThis.console = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };

  // ---- entry points ------------------------------------------------------------------------
  // Finds the functions of a loaded module namespace: [{export, kind, internal}].
  globalThis.__nimbusDescribe = function (namespace) {
    const out = [];
    for (const name of Object.keys(namespace)) {
      const f = namespace[name];
      if (f && f.__nimbusFunction === true) out.push({ export: name, kind: f.kind, internal: f.internal });
    }
    return JSON.stringify(out);
  };

  // Runs one function; the returned holder is settled once the microtask queue drains.
  globalThis.__nimbusInvoke = function (namespace, exportName, kind, argsJson, invocationSeed, now) {
    const holder = { done: false, value: undefined, error: undefined };
    const f = namespace[exportName];
    fixedNow = kind === 'query' || kind === 'mutation' ? now : null;
    pendingSeed = invocationSeed;
    actionCapabilities = kind === 'action' || kind === 'http_action';
    const finish = () => { fixedNow = null; actionCapabilities = false; };
    let promise;
    try {
      const args = JSON.parse(argsJson);
      promise = Promise.resolve(kind === 'http_action' ? f.handler(makeCtx(kind), args) : f.handler(makeCtx(kind), args));
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then((v) => {
      holder.value = v === undefined ? 'null' : JSON.stringify(v);
      holder.done = true;
      finish();
    }, (e) => {
      holder.error = {
        message: e instanceof Error ? e.message : show(e),
        code: e && e.code ? String(e.code) : null,
        hostErrorId: e && e.hostErrorId !== undefined ? e.hostErrorId : null,
        stack: e instanceof Error && e.stack ? String(e.stack) : null,
      };
      holder.done = true;
      finish();
    });
    return holder;
  };
})();
