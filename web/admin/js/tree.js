// The ACL resource tree with tick boxes, as in Magento's "Resources" tree: expand and collapse each
// branch, ticking a parent ticks (and unticking unticks) all of its children. Keyboard: the tick
// boxes and the expand buttons are ordinary controls, reached with Tab.
import {h, uid} from './dom.js';

/**
 * tree: [{id, title, children}] as GET /admin/api/acl/tree answers.
 * selected: ids ticked at the start. readOnly: a list to read (the permissions dialog).
 * Returns {element, selected(): [ids], setAll(bool)}.
 */
export function resourceTree(tree, selected = [], {readOnly = false, label = 'Resources'} = {}) {
  const ticked = new Set(selected);
  const boxes = new Map();

  function node(n, depth) {
    const kids = n.children || [];
    const childList = kids.length ? h('ul', {role: 'group'}, kids.map((c) => node(c, depth + 1))) : null;
    const id = uid('res');
    let toggle = null;
    if (kids.length) {
      toggle = h('button', {type: 'button', class: 'twisty', 'aria-expanded': 'true',
        'aria-label': `Collapse ${n.title}`,
        onclick: () => {
          const open = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(open));
          toggle.setAttribute('aria-label', `${open ? 'Collapse' : 'Expand'} ${n.title}`);
          childList.hidden = !open;
        }});
    } else {
      toggle = h('span', {class: 'twisty-space', 'aria-hidden': 'true'});
    }
    let control;
    if (readOnly) {
      control = h('span', {class: 'resource-title'}, n.title);
    } else {
      const box = h('input', {type: 'checkbox', id, value: n.id, checked: ticked.has(n.id)});
      boxes.set(n.id, box);
      box.addEventListener('change', () => {
        const on = box.checked;
        // the parent's tick goes to every descendant
        const li = box.closest('li');
        li.querySelectorAll('input[type=checkbox]').forEach((b) => { b.checked = on; });
      });
      control = h('label', {for: id}, box, h('span', {class: 'resource-title'}, n.title),
        h('span', {class: 'resource-id'}, n.id));
    }
    return h('li', {role: 'treeitem', 'aria-expanded': kids.length ? 'true' : undefined, dataset: {resource: n.id}},
      h('div', {class: 'tree-row'}, toggle, control), childList);
  }

  const root = h('ul', {class: 'resource-tree', role: 'tree', 'aria-label': label}, tree.map((n) => node(n, 0)));
  const tools = readOnly ? null : h('div', {class: 'tree-tools'},
    h('button', {type: 'button', class: 'link', onclick: () => setExpanded(true)}, 'Expand All'),
    h('button', {type: 'button', class: 'link', onclick: () => setExpanded(false)}, 'Collapse All'));

  function setExpanded(open) {
    root.querySelectorAll('button.twisty').forEach((t) => {
      if ((t.getAttribute('aria-expanded') === 'true') !== open) t.click();
    });
  }

  return {
    element: h('div', {class: 'tree-box'}, tools, root),
    selected: () => [...boxes.entries()].filter(([, b]) => b.checked).map(([id]) => id),
  };
}

/** The subtree holding only the granted ids (and their ancestors), for read-only lists. */
export function grantedTree(tree, granted) {
  const keep = new Set(granted);
  function walk(nodes) {
    const out = [];
    for (const n of nodes) {
      const kids = walk(n.children || []);
      if (keep.has(n.id) || kids.length) out.push({id: n.id, title: n.title, children: kids});
    }
    return out;
  }
  return walk(tree);
}
