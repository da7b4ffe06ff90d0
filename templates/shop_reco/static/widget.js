/*! shop_reco widget.js: the finder, product pairings and article widgets for any shop.
 *
 *   <script src="https://shop.example/reco/widget.js" defer></script>
 *   <div data-shop-reco="finder" data-locale="sv"></div>
 *   <div data-shop-reco="product" data-sku="lumbar-support-belt"></div>
 *   <div data-shop-reco="article" data-slug="hip-and-lower-back-pain"></div>
 *
 * Each widget renders into its own shadow root (the shop's CSS and ours never
 * meet), from JSON, with DOM APIs only: text is set with textContent, never
 * parsed as HTML. No framework, no CDN. Nothing here may break the host page:
 * every failure ends in a quiet "Try again" link or in nothing at all.
 *
 * window.ShopReco.scan() mounts widgets added later; hosts can listen for
 * "shop-reco:add-to-cart" (cancelable) and "shop-reco:rendered" on the div, whose
 * data-sr-state says where it is: loading, ready, empty (nothing to show) or error.
 *
 * Experiments: the finder sends a pseudonymous visitor id only when it has one.
 * Storing an id on the shopper's device needs their consent (ePrivacy art. 5(3)),
 * so the host hands one over after consent, with data-visitor="..." on the div or
 * ShopReco.setVisitor(id) (setVisitor(null) forgets it). Only when the merchant
 * sets SHOP_RECO_WIDGET_VISITOR_STORAGE does the script make and keep its own.
 */
(function () {
  'use strict';
  var w = window, d = document;
  if (w.ShopReco && w.ShopReco.scan) { w.ShopReco.scan(); return; }

  var script = d.currentScript;
  var BASE = ((script && (script.getAttribute('data-shop-reco-base') || script.src)) || '/reco')
    .replace(/\/(static\/)?widget\.js([?#].*)?$/, '').replace(/\/$/, '');
  var BASE_URL = new URL(BASE + '/', location.href);
  var API = BASE + '/api/v1';
  var SVG = 'http://www.w3.org/2000/svg';
  var TIMEOUT = 10000;
  var EMBED = d.body && d.body.hasAttribute('data-shop-reco-embed');
  var mounted = new WeakSet();
  var uiCache = {};
  var seq = 0;
  var pageView = randomId();
  var VISITOR = /^[A-Za-z0-9_-]{8,64}$/, VISITOR_KEY = 'shop-reco-visitor';
  var visitorId = null;

  // -- small DOM helpers: text always goes in through textContent ------------------
  function h(tag, attrs, kids, ns) {
    var el = ns ? d.createElementNS(ns, tag) : d.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    add(el, kids);
    return el;
  }
  function add(el, kids) {
    if (kids == null || kids === false) return el;
    (Array.isArray(kids) ? kids : [kids]).forEach(function (k) {
      if (Array.isArray(k)) add(el, k);
      else if (typeof k === 'string') el.appendChild(d.createTextNode(k));
      else if (k && k.nodeType) el.appendChild(k);   // skips null, false, 0 from `cond && node`
    });
    return el;
  }
  function fmt(s, values) {
    return String(s || '').replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? '' : values[k]; });
  }
  function safeUrl(u) {
    if (!u || typeof u !== 'string') return null;
    var m = /^([a-z][a-z0-9+.-]*):/i.exec(u.replace(/[\x00-\x20\x7f]/g, ''));
    if (m && !/^https?$/i.test(m[1])) return null;
    try { return new URL(u.trim(), BASE_URL).href; } catch (e) { return null; }
  }
  function randomId() {
    var bytes = new Uint8Array(12);
    (w.crypto || w.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  // -- the visitor id for experiments: the host's (after consent), else our own only if the merchant allows
  function setVisitor(id) {
    visitorId = typeof id === 'string' && VISITOR.test(id) ? id : null;
    if (id == null) { try { w.localStorage.removeItem(VISITOR_KEY); } catch (e) { /* storage blocked */ } }
    return visitorId;
  }
  function visitorFor(host, ui) {
    var given = visitorId || host.getAttribute('data-visitor');
    if (given && VISITOR.test(given)) return given;
    if (!ui.visitor_storage) return null;
    try {
      var kept = w.localStorage.getItem(VISITOR_KEY);
      if (!kept || !VISITOR.test(kept)) { kept = randomId(); w.localStorage.setItem(VISITOR_KEY, kept); }
      return kept;
    } catch (e) { return null; }
  }
  function uid(kind) { seq += 1; return 'shop-reco-' + kind + '-' + seq; }

  // -- network: never rejects; {ok, status, body} ------------------------------------
  function request(url, options) {
    var ctl = w.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, TIMEOUT);
    options = Object.assign({ credentials: 'omit', signal: ctl && ctl.signal }, options || {});
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        clearTimeout(timer);
        return { ok: r.ok, status: r.status, body: body };
      });
    }, function () { clearTimeout(timer); return { ok: false, status: 0, body: null }; });
  }
  function loadUi(locale) {
    var key = locale || '';
    if (!uiCache[key]) {
      uiCache[key] = request(BASE + '/widgets/ui.json' + (locale ? '?locale=' + encodeURIComponent(locale) : ''))
        .then(function (res) {
          if (!res.ok) delete uiCache[key];
          else if (res.body && res.body.strings) res.body.strings._locale = res.body.locale;   // for Intl
          return res;
        });
    }
    return uiCache[key];
  }

  // -- events: impression, click, add_to_cart; pseudonymous, batched -------------------
  var queue = [], flushTimer = null;
  function send(event) {
    queue.push(Object.assign({ page_view: pageView }, event));
    if (queue.length >= 20) flush();
    else if (!flushTimer) flushTimer = setTimeout(flush, 1500);
  }
  function flush() {
    clearTimeout(flushTimer);
    flushTimer = null;
    while (queue.length) {
      var body = JSON.stringify({ events: queue.splice(0, 50) });
      var url = new URL(API + '/events', location.href);
      try {
        if (url.origin === location.origin && navigator.sendBeacon &&
            navigator.sendBeacon(url.href, new Blob([body], { type: 'application/json' }))) continue;
        fetch(url.href, { method: 'POST', body: body, keepalive: true, credentials: 'omit',
          headers: { 'Content-Type': 'application/json' } }).catch(function () {});
      } catch (e) { /* analytics must never break the page */ }
    }
  }
  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') flush(); });

  function track(host, root, widget, locale) {
    var seen = {};
    function eventFor(kind, item) {
      var results = item.closest('[data-sr-rec]');
      return {
        kind: kind, widget: widget, locale: locale || null,
        recommendation_id: (results && results.getAttribute('data-sr-rec')) || null,
        item_type: item.getAttribute('data-sr-type'), item_id: item.getAttribute('data-sr-id').slice(0, 200),
        rule: (item.getAttribute('data-sr-rule') || '').slice(0, 64) || null
      };
    }
    var observer = w.IntersectionObserver && new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        var ev = eventFor('impression', entry.target);
        var key = ev.recommendation_id + '|' + ev.item_type + '|' + ev.item_id;
        if (!seen[key]) { seen[key] = true; send(ev); }
      });
    }, { threshold: 0.5 });
    root.addEventListener('click', function (e) {
      var action = e.target.closest && e.target.closest('[data-sr-action]');
      var item = action && action.closest('[data-sr-id]');
      if (!item) return;
      var kind = action.getAttribute('data-sr-action');
      if (action.tagName === 'DETAILS' && action.open) return;
      send(eventFor(kind, item));
      if (kind === 'add_to_cart') {
        var form = action.form || null;
        var detail = { sku: item.getAttribute('data-sr-id'), url: form ? form.action : action.href };
        if (!host.dispatchEvent(new CustomEvent('shop-reco:add-to-cart', { bubbles: true, cancelable: true, detail: detail }))) {
          e.preventDefault();
        }
      }
      if (action.tagName === 'A' || action.type === 'submit') flush();
    });
    return function observe(scope) {
      if (!observer) return;
      Array.prototype.forEach.call(scope.querySelectorAll('[data-sr-id]'), function (el) { observer.observe(el); });
    };
  }

  // -- shared pieces, the same markup as templates/shop_reco/widgets/macros.html ---------
  // The one sentence a shopper reads (item.reason); the API's "why" is the trace, never shown.
  function reasons(item) {
    return item && item.reason ? h('p', { 'class': 'sr-why', text: item.reason }) : null;
  }
  function itemAttrs(cls, type, id, why) {
    var rule = (why || []).filter(function (r) { return r.rule; })[0];
    return { 'class': cls, 'data-sr-type': type, 'data-sr-id': id, 'data-sr-rule': rule ? rule.rule : '' };
  }
  function link(href, text, attrs) {
    var url = safeUrl(href);
    attrs = Object.assign({ href: url, target: EMBED ? '_top' : null, text: text }, attrs || {});
    return url ? h('a', attrs) : h('span', { 'class': attrs['class'], text: text });
  }
  // "1 time a week" / "2 times a week": the plural category from the browser's CLDR rules.
  function frequency(f, s) {
    if (!f || (!f.min && !f.max)) return '';
    if (!f.max || f.min === f.max) {
      var n = f.min || f.max, cat = 'other';
      try { cat = new Intl.PluralRules(s._locale || 'en').select(n); } catch (e) { /* old browser: "other" */ }
      return fmt(s['frequency_same_' + cat] || s.frequency_same_other, { n: n });
    }
    return fmt(s.frequency_range, { min: f.min || 1, max: f.max });
  }
  // A compact card: kind, name, dose and one line; the steps and tips behind a disclosure.
  function exerciseCard(e, s, level) {
    var often = frequency(e.weekly_frequency, s), dose = e.dose && e.dose.text;
    var steps = e.steps || [];
    var tips = (e.cues || []).map(function (c) { return h('li', { text: c }); })
      .concat((e.cautions || []).map(function (c) { return h('li', { 'class': 'sr-caution', text: c }); }));
    return h('li', itemAttrs('sr-card sr-exercise', 'exercise', e.slug, e.why), [
      h('p', { 'class': 'sr-kind sr-kind-' + e.kind, text: s['kind_' + e.kind] || e.kind }),
      h('h' + (level || 4), { 'class': 'sr-card-title', text: e.name }),
      (dose || often) && h('p', { 'class': 'sr-dose' }, [dose && h('span', { text: dose }), often && h('span', { text: often })]),
      e.summary && h('p', { 'class': 'sr-summary', text: e.summary }),
      reasons(e),
      (steps.length || tips.length) && h('details', { 'class': 'sr-steps-box', 'data-sr-action': 'click' }, [
        h('summary', { text: s.steps_label }),
        steps.length && h('ol', { 'class': 'sr-steps' }, steps.map(function (t) { return h('li', { text: t }); })),
        tips.length && h('ul', { 'class': 'sr-tips' }, tips)
      ])
    ]);
  }
  // Prices and plurals from the browser's CLDR data (Intl), like Babel's on the server.
  function price(p, s) {
    try {
      return new Intl.NumberFormat(s._locale || 'en', { style: 'currency', currency: p.currency }).format(Number(p.price));
    } catch (e) {
      return p.price + ' ' + p.currency;
    }
  }
  // Add to cart: a POST form to the shop's cart; the click first sends "shop-reco:add-to-cart".
  function cartForm(p, s, cart) {
    return h('form', { 'class': 'sr-cart', method: 'post', action: cart, target: EMBED ? '_top' : null }, [
      h('input', { type: 'hidden', name: 'sku', value: p.sku }),
      h('button', { 'class': 'sr-button', type: 'submit', 'data-sr-action': 'add_to_cart' },
        [s.add_to_cart, h('span', { 'class': 'sr-visually-hidden', text: ': ' + p.name })])
    ]);
  }
  function productCard(p, s, level) {
    var image = safeUrl(p.image_url);
    var cart = safeUrl(p.cart_url);
    return h('li', itemAttrs('sr-card sr-product', 'product', p.sku, p.why), [
      image && h('img', { 'class': 'sr-product-image', src: image, alt: '', width: 88, height: 88, loading: 'lazy' }),
      h('div', { 'class': 'sr-product-body' }, [
        h('h' + (level || 4), { 'class': 'sr-card-title' }, link(p.url, p.name, { 'data-sr-action': 'click' })),
        h('p', { 'class': 'sr-price', text: price(p, s) }),
        reasons(p),
        cart && cartForm(p, s, cart)
      ])
    ]);
  }
  function sectionItem(x, s) {
    return h('li', itemAttrs('sr-section', 'section', x.article + '#' + x.anchor, x.why), [
      link(x.url, x.heading, { 'class': 'sr-section-link', 'data-sr-action': 'click' }),
      reasons(x)
    ]);
  }
  function block(id, cls, title, kids) {
    return h('section', { 'class': 'sr-block ' + cls, 'aria-labelledby': id }, [
      h('h3', { 'class': 'sr-block-title', id: id, text: title })
    ].concat(kids));
  }
  function list(cls, items, build) { return h('ul', { 'class': cls }, items.map(build)); }

  // The answer: the safety message first; an urgent answer shows only it and the disclaimer.
  function answerView(r, s, id) {
    var level = r.safety && r.safety.level, urgent = level === 'urgent';
    var out = h('div', { 'class': 'sr-results', id: id + '-results', 'data-sr-rec': r.id || '', 'data-sr-level': level }, [
      h('h2', { 'class': 'sr-heading', tabindex: '-1', text: s.results_heading })
    ]);
    if (r.safety && r.safety.message) {
      add(out, h('div', { 'class': 'sr-safety sr-safety-' + level, role: urgent ? 'alert' : 'note' }, [
        h('p', { 'class': 'sr-safety-title', text: urgent ? s.safety_urgent_heading : s.safety_consult_heading }),
        h('p', { 'class': 'sr-safety-message', text: r.safety.message })
      ]));
    }
    if (!urgent) {
      var one = function (x) { return x; };
      add(out, [
        r.fallback && h('p', { 'class': 'sr-note', text: s.fallback_note }),
        r.exercises && r.exercises.length && block(id + '-routine', 'sr-routine', s.routine_heading, [
          r.routine && h('p', { 'class': 'sr-routine-summary', text: r.routine.summary }),
          list('sr-grid', r.exercises, function (e) { return exerciseCard(e, s); })
        ]),
        r.products && r.products.length && block(id + '-products', 'sr-products', s.products_heading,
          [list('sr-product-list', r.products, function (p) { return productCard(p, s); })]),
        r.sections && r.sections.length && block(id + '-reading', 'sr-reading', s.sections_heading,
          [list('sr-section-list', r.sections, function (x) { return sectionItem(x, s); })]),
        r.avoid && r.avoid.length && block(id + '-avoid', 'sr-avoid', s.avoid_heading,
          [list('', r.avoid, function (a) { return h('li', { text: a.text }); })]),
        r.notes && r.notes.length && block(id + '-notes', 'sr-notes', s.notes_heading,
          [list('', r.notes.map(one), function (n) { return h('li', { text: n }); })])
      ]);
    }
    return add(out, h('p', { 'class': 'sr-disclaimer', text: r.disclaimer }));
  }

  // A quiet line with a "Try again" link; the rest of the page is untouched.
  function failed(box, message, retry, s) {
    box.textContent = '';
    add(box, h('p', { 'class': 'sr-quiet', role: 'status' }, [message + ' ',
      h('button', { type: 'button', 'class': 'sr-retry', text: s ? s.try_again : 'Try again', onclick: retry })]));
  }

  // -- the body map: each area (hips, buttocks, thighs, legs once per side) a checkbox ---------
  // Keys are "lower_back" or "hip:right"; the arrow keys move between regions (one tab stop).
  function areaChoices(ui) {
    var out = [];
    ui.areas.forEach(function (a) {
      var sides = a.sides || {};
      if (!sides.right && !sides.left) out.push({ key: a.code, code: a.code, side: '', label: a.label });
      ['right', 'left'].forEach(function (side) {
        if (sides[side]) out.push({ key: a.code + ':' + side, code: a.code, side: side, label: sides[side].label });
      });
    });
    return out;
  }
  function areaWords(ui, keys) {
    var chosen = {};
    keys.forEach(function (key) {
      var parts = key.split(':');
      (chosen[parts[0]] = chosen[parts[0]] || []).push(parts[1] || 'both');
    });
    return ui.areas.filter(function (a) { return chosen[a.code]; }).map(function (a) {
      var picked = chosen[a.code], sides = a.sides || {};
      return picked.length === 1 && sides[picked[0]] ? sides[picked[0]].words : a.words;
    });
  }
  // The keys an answer's profile was understood to mention: "hip:right" when a side was said.
  function understoodKeys(ui, profile) {
    var keys = [], side = profile && profile.side;
    ((profile && profile.areas) || []).forEach(function (code) {
      var sided = areaChoices(ui).filter(function (c) { return c.code === code && c.side; });
      if (sided.length && (side === 'right' || side === 'left')) keys.push(code + ':' + side);
      else if (sided.length) sided.forEach(function (c) { keys.push(c.key); });
      else keys.push(code);
    });
    return keys;
  }
  function bodyMap(map, ui, labelId, onChange) {
    var s = ui.strings, selected = [], regions = [];
    var svg = h('svg', { 'class': 'sr-bodymap-figure sr-interactive', viewBox: map.view_box, role: 'group',
      'aria-labelledby': labelId }, null, SVG);
    var shape = function (x) { return h(x.t, x.a, null, SVG); };
    add(svg, h('g', { 'class': 'sr-decor', 'aria-hidden': 'true' }, map.decor.map(shape), SVG));
    function set(g, on) {
      var key = g.getAttribute('data-key'), i = selected.indexOf(key);
      g.setAttribute('aria-checked', on ? 'true' : 'false');
      if (on && i < 0) selected.push(key);
      if (!on && i >= 0) selected.splice(i, 1);
    }
    function focusAt(i) {
      var next = regions[(i + regions.length) % regions.length];
      regions.forEach(function (g) { g.setAttribute('tabindex', g === next ? '0' : '-1'); });
      next.focus();
    }
    areaChoices(ui).forEach(function (c) {
      var shapes = (map.regions[c.code] || []).filter(function (x) { return (x.side || '') === c.side; });
      var g = h('g', { 'class': 'sr-region', role: 'checkbox', tabindex: regions.length ? '-1' : '0',
        'aria-checked': 'false', 'aria-label': c.label, 'data-area': c.code, 'data-side': c.side || null,
        'data-key': c.key }, [h('title', { text: c.label }, null, SVG)].concat(shapes.map(shape)), SVG);
      var toggle = function () { set(g, g.getAttribute('aria-checked') !== 'true'); onChange(selected.slice()); };
      g.addEventListener('click', function () { focusAt(regions.indexOf(g)); toggle(); });
      g.addEventListener('keydown', function (e) {
        var i = regions.indexOf(g);
        if (e.key === ' ' || e.key === 'Enter' || e.key === 'Spacebar') { e.preventDefault(); toggle(); }
        else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); focusAt(i + 1); }
        else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); focusAt(i - 1); }
        else if (e.key === 'Home') { e.preventDefault(); focusAt(0); }
        else if (e.key === 'End') { e.preventDefault(); focusAt(regions.length - 1); }
      });
      regions.push(g);
      svg.appendChild(g);
    });
    map.labels.forEach(function (l) {
      svg.appendChild(h('text', { 'class': 'sr-figure-label', x: l.x, y: l.y, 'text-anchor': 'middle',
        'aria-hidden': 'true', text: s[l.key] }, null, SVG));
    });
    // Show keys as chosen (what an answer understood), keeping what the shopper picked.
    svg.select = function (keys) {
      regions.forEach(function (g) { if (keys.indexOf(g.getAttribute('data-key')) >= 0) set(g, true); });
      onChange(selected.slice());
    };
    return svg;
  }

  function joinWords(words, s) {
    return words.length < 2 ? words.join('') : words.slice(0, -1).join(', ') + ' ' + s.list_and + ' ' + words[words.length - 1];
  }
  function appendSentence(text, sentence) {
    text = text.replace(/\s+$/, '');
    if (!text) return sentence;
    return text + (/[.!?…]$/.test(text) ? ' ' : '. ') + sentence;
  }

  // -- the red-flag screen, urgent contacts, the note for a vague text ---------------------
  // The same markup as templates/shop_reco/widgets/screening.html. The screen is one compact
  // step: tick what applies, or one click on "None of these apply"; then `answered(answers)`
  // asks again with {code: true|false} for every question (a ticked box always counts).
  function screenStep(r, s, id, answered) {
    var error = h('p', { 'class': 'sr-error', role: 'alert' });
    var boxes = [];
    var items = r.screening.questions.map(function (q) {
      var box = h('input', { type: 'checkbox', name: 'screen', value: q.code });
      boxes.push(box);
      return h('li', { 'class': 'sr-screen-item sr-screen-' + q.level }, [
        h('label', { 'class': 'sr-screen-label' }, [box, ' ', h('span', { text: q.text })]),
        q.mentioned && h('span', { 'class': 'sr-screen-mentioned', text: s.screen_mentioned })
      ]);
    });
    function answers(noneApply) {
      var out = {}, any = false;
      boxes.forEach(function (b) { out[b.value] = b.checked; any = any || b.checked; });
      if (!any && !noneApply) { error.textContent = s.screen_pick; return; }
      answered(out);
    }
    return h('div', { 'class': 'sr-screen', id: id + '-screen', role: 'group', 'aria-labelledby': id + '-screen-title' }, [
      h('h2', { 'class': 'sr-heading', id: id + '-screen-title', tabindex: '-1', text: s.screen_heading }),
      h('p', { 'class': 'sr-hint', text: s.screen_intro }),
      error,
      h('ul', { 'class': 'sr-screen-list' }, items),
      h('div', { 'class': 'sr-screen-actions' }, [
        h('button', { type: 'button', 'class': 'sr-submit sr-screen-none', text: s.screen_none,
          onclick: function () { answers(true); } }),
        h('button', { type: 'button', 'class': 'sr-button sr-screen-continue', text: s.screen_continue,
          onclick: function () { answers(false); } })
      ])
    ]);
  }
  function urgentContacts(r, s) {
    var contacts = (r.safety && r.safety.contacts) || [];
    if (!contacts.length) return null;
    return h('div', { 'class': 'sr-contacts' }, [
      h('p', { 'class': 'sr-contacts-title', text: s.contacts_heading }),
      h('ul', { 'class': 'sr-contacts-list' }, contacts.map(function (c) {
        var tel = c.href && /^tel:\+?[0-9]+$/.test(c.href) ? c.href : null;   // only tel: links, never anything else
        return h('li', null, tel ? h('a', { 'class': 'sr-call', href: tel, text: c.label })
          : h('span', { 'class': 'sr-call sr-call-plain', text: c.label }));
      }))
    ]);
  }
  // Urgent contacts after the safety message; for a vague text, what we cover first and the
  // general routine folded away as a clearly labelled second choice.
  function screeningExtras(view, r, s, edit) {
    var safety = view.querySelector('.sr-safety');
    var contacts = urgentContacts(r, s);
    if (safety && contacts) safety.parentNode.insertBefore(contacts, safety.nextSibling);
    var vague = r.scope && !r.scope.understood && r.safety && r.safety.level === 'none';
    var moved = Array.prototype.filter.call(view.children, function (el) {
      return /\bsr-(block|note)\b/.test(el.className);
    });
    if (!vague || !moved.length) return view;
    var details = h('details', { 'class': 'sr-second-choice' }, h('summary', { text: s.scope_second_choice }));
    moved.forEach(function (el) { details.appendChild(el); });
    var note = h('div', { 'class': 'sr-scope', role: 'note' }, [
      h('p', { 'class': 'sr-scope-title', text: s.scope_heading }),
      h('p', { 'class': 'sr-scope-message', text: r.scope.message }),
      h('p', null, h('button', { type: 'button', 'class': 'sr-retry sr-scope-edit', text: s.screen_edit, onclick: edit }))
    ]);
    var disclaimer = view.querySelector('.sr-disclaimer');
    view.insertBefore(note, disclaimer);
    view.insertBefore(details, disclaimer);
    return view;
  }

  // -- the finder --------------------------------------------------------------------------
  function finder(host, box, ui, keep) {
    var s = ui.strings, locale = ui.locale, id = uid('finder'), areas = [];
    var live = h('div', { 'class': 'sr-visually-hidden', role: 'status', 'aria-live': 'polite' });
    var error = h('div', { 'class': 'sr-error', role: 'alert', id: id + '-error' });
    var ta = h('textarea', { 'class': 'sr-textarea', id: id + '-description', name: 'description', rows: 5,
      maxlength: ui.max_chars, 'aria-describedby': id + '-hint' });
    ta.value = keep || '';
    var chips = ui.chips.map(function (c) {
      var b = h('button', { type: 'button', 'class': 'sr-chip', 'aria-pressed': 'false', text: c.label });
      b.addEventListener('click', function () {
        ta.value = ta.value.indexOf(c.text) >= 0
          ? ta.value.replace(c.text, '').replace(/\s{2,}/g, ' ').trim() : appendSentence(ta.value, c.text);
        syncChips();
      });
      return { b: b, text: c.text };
    });
    function syncChips() {
      chips.forEach(function (c) { c.b.setAttribute('aria-pressed', ta.value.indexOf(c.text) >= 0 ? 'true' : 'false'); });
    }
    ta.addEventListener('input', syncChips);
    syncChips();
    var chosen = h('p', { 'class': 'sr-selected', text: s.areas_none });
    var map = bodyMap(ui.body_map, ui, id + '-map', function (keys) {
      areas = keys;
      var labels = areaChoices(ui).filter(function (c) { return keys.indexOf(c.key) >= 0; }).map(function (c) { return c.label; });
      chosen.textContent = '';
      add(chosen, labels.length ? [s.areas_selected + ' ', h('strong', { text: labels.join(', ') })] : s.areas_none);
    });
    var submit = h('button', { 'class': 'sr-submit', type: 'submit', text: s.submit });
    var output = h('div', { 'class': 'sr-output' });
    var form = h('form', { 'class': 'sr-form', novalidate: true }, [
      error,
      h('div', { 'class': 'sr-form-grid' }, [
        h('div', { 'class': 'sr-form-main' }, [
          h('label', { 'class': 'sr-field-label', 'for': ta.id, text: s.description_label }),
          h('p', { 'class': 'sr-hint', id: id + '-hint', text: s.description_hint }),
          ta,
          h('div', { 'class': 'sr-chips', role: 'group', 'aria-labelledby': id + '-chips' },
            [h('p', { 'class': 'sr-field-label', id: id + '-chips', text: s.chips_label })]
              .concat(chips.map(function (c) { return c.b; })))
        ]),
        h('div', { 'class': 'sr-bodymap' }, [
          h('p', { 'class': 'sr-field-label', id: id + '-map', text: s.bodymap_label }),
          h('p', { 'class': 'sr-hint', text: s.bodymap_hint }),
          map, chosen
        ])
      ]),
      submit
    ]);
    function showError(message) {
      error.textContent = message || '';
      if (message) ta.setAttribute('aria-invalid', 'true'); else ta.removeAttribute('aria-invalid');
      ta.setAttribute('aria-describedby', id + '-hint' + (message ? ' ' + error.id : ''));
    }
    function busy(on) {
      state(host, on ? 'loading' : 'ready');
      submit.disabled = on;
      submit.textContent = on ? s.submitting : s.submit;
      output.setAttribute('aria-busy', on ? 'true' : 'false');
    }
    function ask(screening) {
      screening = screening && screening.constructor === Object ? screening : null;
      var words = areaWords(ui, areas);
      var text = ta.value.trim();
      if (words.length) text = appendSentence(text, fmt(s.areas_sentence, { areas: joinWords(words, s) }));
      if (!text) { showError(s.error_empty); ta.focus(); return; }
      if (ta.value.length > ui.max_chars) { showError(fmt(s.error_too_long, { max: ui.max_chars })); ta.focus(); return; }
      showError('');
      busy(true);
      live.textContent = '';
      request(API + '/recommendations', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ description: text, locale: locale, visitor: visitorFor(host, ui) || undefined,
          screening: screening || undefined }) }).then(function (res) {
        busy(false);
        if (res.ok && res.body) {
          output.textContent = '';
          var screen = res.body.screening && res.body.screening.ask;
          var view = screen ? screenStep(res.body, s, id, ask)
            : screeningExtras(answerView(res.body, s, id), res.body, s, function () { ta.focus(); });
          output.appendChild(view);
          observe(view);
          map.select(understoodKeys(ui, res.body.profile));   // what the text was understood to mention
          live.textContent = screen ? s.screen_heading
            : res.body.safety && res.body.safety.level === 'urgent' ? res.body.safety.message : s.results_ready;
          var heading = view.querySelector('.sr-heading');
          heading.focus({ preventScroll: true });
          // The answer comes into view; smoothly, unless the shopper asked for less motion.
          var still = w.matchMedia && w.matchMedia('(prefers-reduced-motion: reduce)').matches;
          view.scrollIntoView({ block: 'start', behavior: still ? 'auto' : 'smooth' });
          host.dispatchEvent(new CustomEvent('shop-reco:rendered', { bubbles: true, detail: { widget: 'finder' } }));
        } else if (res.status === 400 && res.body && res.body.errors && res.body.errors.description) {
          showError(String(res.body.errors.description[0]));
          ta.focus();
        } else {
          failed(output, res.status === 429 ? s.error_busy : s.error_load, function () { ask(screening); }, s);
          live.textContent = res.status === 429 ? s.error_busy : s.error_load;
          state(host, 'error');
        }
      }).catch(function () {
        busy(false);
        failed(output, s.error_load, function () { ask(screening); }, s);
        state(host, 'error');
      });
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); ask(); });
    var observe = track(host, box, 'finder', locale);
    add(box, [h('h2', { 'class': 'sr-title', text: s.finder_title }), h('p', { 'class': 'sr-lead', text: s.finder_intro }),
      form, live, output]);
    box.setAttribute('aria-label', s.finder_label);
  }

  // -- product pairings and articles --------------------------------------------------------
  function pairings(host, box, ui, data) {
    var s = ui.strings, id = uid('product');
    box.setAttribute('aria-labelledby', id + '-title');
    add(box, [
      h('h2', { 'class': 'sr-title', id: id + '-title', text: s.pairings_heading }),
      data.exercises.length && [h('h3', { 'class': 'sr-block-title', text: s.pairings_exercises }),
        list('sr-grid', data.exercises, function (e) { return exerciseCard(e, s); })],
      data.products && data.products.length && [h('h3', { 'class': 'sr-block-title', text: s.pairings_products }),
        list('sr-product-list sr-goes-with', data.products, function (p) { return productCard(p, s); })],
      data.sections.length && [h('h3', { 'class': 'sr-block-title', text: s.pairings_reading }),
        list('sr-section-list', data.sections, function (x) { return sectionItem(x, s); })],
      h('p', { 'class': 'sr-disclaimer', text: data.disclaimer })
    ]);
  }
  function textBlocks(body) {
    return String(body || '').trim().split(/\n\s*\n/).map(function (chunk) {
      var lines = chunk.split('\n').map(function (l) { return l.trim(); }).filter(Boolean);
      if (lines.length && lines.every(function (l) { return /^[-*] /.test(l); })) {
        return h('ul', null, lines.map(function (l) { return h('li', { text: l.slice(2).trim() }); }));
      }
      return lines.length ? h('p', { text: lines.join(' ') }) : null;
    });
  }
  function article(host, box, ui, a) {
    var s = ui.strings, id = uid('article');
    box.setAttribute('aria-labelledby', id + '-title');
    box.setAttribute('lang', a.locale || ui.locale);
    add(box, [
      h('h2', { 'class': 'sr-title sr-article-title', id: id + '-title', text: a.title }),
      a.summary && h('p', { 'class': 'sr-lead', text: a.summary }),
      a.sections.map(function (x, i) {
        return h('section', { 'class': 'sr-article-section sr-kind-' + x.kind, id: x.anchor, 'aria-labelledby': id + '-' + i }, [
          h('h3', { 'class': 'sr-article-heading', id: id + '-' + i, text: x.heading }),
          textBlocks(x.body),
          x.products && x.products.length && h('div', { 'class': 'sr-article-products' }, [
            h('p', { 'class': 'sr-label', text: s.article_products }),
            list('sr-product-list', x.products, function (p) { return productCard(p, s, 5); })
          ])
        ]);
      }),
      a.sources && a.sources.length && h('section', { 'class': 'sr-sources', 'aria-labelledby': id + '-sources' }, [
        h('h3', { 'class': 'sr-article-heading', id: id + '-sources', text: s.article_sources }),
        h('ol', null, a.sources.map(function (src) {
          var url = safeUrl(src.url);
          return h('li', null, [src.authors + (src.year ? ' (' + src.year + ')' : '') + '. ',
            url ? h('a', { href: url, rel: 'noopener', text: src.title }) : h('cite', { text: src.title }),
            (src.publisher ? '. ' + src.publisher : '') + '.']);
        }))
      ])
    ]);
    var target = location.hash && box.querySelector('[id="' + location.hash.slice(1).replace(/["\\]/g, '') + '"]');
    if (target) setTimeout(function () { target.scrollIntoView(); }, 0);
  }

  // -- mounting ------------------------------------------------------------------------------
  function shell(host, kind) {
    var root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    root.textContent = '';
    var box = h('div', { 'class': 'shop-reco shop-reco-' + kind, hidden: true });
    var css = h('link', { rel: 'stylesheet', href: BASE + '/static/widget.css' });
    var show = function () { box.hidden = false; };
    css.addEventListener('load', show);
    css.addEventListener('error', show);
    add(root, [css, box]);
    return box;
  }
  function mount(host) {
    if (mounted.has(host)) return;
    mounted.add(host);
    var kind = host.getAttribute('data-shop-reco');
    // data-locale wins; else the host page's language (<html lang="sv-SE">); the server maps
    // it to a locale the shop offers, or the browser's, or the shop's default.
    var locale = host.getAttribute('data-locale') || document.documentElement.getAttribute('lang') || '';
    if (host.hasAttribute('data-shop-reco-ssr')) {   // rendered on the server: only count what is seen
      track(host, host, kind, locale)(host);
      return;
    }
    if (!host.attachShadow || ['finder', 'product', 'article'].indexOf(kind) < 0) return;
    render(host, kind, locale);
  }
  function render(host, kind, locale) {
    var ssr = host.querySelector('textarea');
    var keep = ssr ? ssr.value : '';
    var retry = function () { render(host, kind, locale); };
    state(host, 'loading');
    loadUi(locale).then(function (res) {
      if (!res.ok || !res.body) return quietFailure(host, kind, retry);
      var ui = res.body;
      if (kind === 'finder') return done(host, kind, ui, function (box) { finder(host, box, ui, keep); });
      var url = kind === 'product'
        ? API + '/products/' + encodeURIComponent(host.getAttribute('data-sku') || '') + '/pairings'
        : API + '/articles/' + encodeURIComponent(host.getAttribute('data-slug') || '');
      return request(url + '?locale=' + encodeURIComponent(ui.locale)).then(function (data) {
        var body = data.body;
        if (data.status === 404 || (data.ok && body && kind === 'product' && !body.exercises.length && !body.sections.length &&
            !(body.products && body.products.length))) {
          if (host.shadowRoot) host.shadowRoot.textContent = '';   // nothing to show: no box at all
          return state(host, 'empty');
        }
        if (!data.ok || !body) return quietFailure(host, kind, retry, ui.strings);
        done(host, kind, ui, function (box) { (kind === 'product' ? pairings : article)(host, box, ui, body); });
      });
    }).catch(function () { quietFailure(host, kind, retry); });
  }
  function done(host, kind, ui, build) {
    while (host.firstChild) host.removeChild(host.firstChild);   // the server's no-JS form, if any
    if (host.getAttribute('role') === 'region') { host.removeAttribute('role'); host.removeAttribute('aria-label'); }
    var box = shell(host, kind);
    box.setAttribute('lang', ui.locale);
    box.setAttribute('role', 'region');
    build(box);
    if (kind !== 'finder') track(host, box, kind, ui.locale)(box);
    state(host, 'ready');
    host.dispatchEvent(new CustomEvent('shop-reco:rendered', { bubbles: true, detail: { widget: kind } }));
  }
  function state(host, name) {   // data-sr-state: for the shop's CSS and for tests that wait
    host.setAttribute('data-sr-state', name);
  }
  function quietFailure(host, kind, retry, strings) {
    state(host, 'error');
    if (host.querySelector('form')) return;   // keep the server-rendered finder: it works without us
    var box = shell(host, kind);
    box.className += ' sr-plain';
    failed(box, strings ? strings.error_load : '', function () { retry(); }, strings);
  }
  function scan(scope) {
    Array.prototype.forEach.call((scope || d).querySelectorAll('[data-shop-reco]'), function (el) {
      try { mount(el); } catch (e) { /* one broken widget must not stop the others */ }
    });
  }
  function resizeParent() {   // iframe pages tell the shop their height: {type: "shop-reco:resize", height}
    if (!EMBED || w.parent === w || !w.ResizeObserver) return;
    var last = 0;
    new ResizeObserver(function () {
      var height = Math.ceil(d.documentElement.scrollHeight);
      if (height !== last) { last = height; w.parent.postMessage({ type: 'shop-reco:resize', height: height }, '*'); }
    }).observe(d.body);
  }

  w.ShopReco = { version: '1', base: BASE, scan: scan, mount: mount, flush: flush };
  w.ShopReco.setVisitor = setVisitor;
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', function () { scan(); resizeParent(); });
  else { scan(); resizeParent(); }
})();
