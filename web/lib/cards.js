// cards: on a phone (app.css, max-width 600px) a data table shows each row
// as a stacked card, and each cell needs its column's name above it — CSS
// cannot reach from a <td> to its <th>, so cardLabels copies the header
// texts into the cells' data-label (app.css shows it with ::before), and
// marks the cells that show nothing data-empty (the card leaves them out).
// The table's markup is unchanged: wide screens keep their columns.
//
//   ui.clear(box).append(cardLabels(ui.table(columns, rows)));
//
// Takes a node holding tables (ui.table's wrap, or a whole page part),
// labels every table.grid inside it, and returns the node.
export function cardLabels(node) {
  if (!node || !node.querySelectorAll) return node;
  const tables = node.matches && node.matches('table.grid') ? [node] : node.querySelectorAll('table.grid');
  for (const table of tables) {
    const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    for (const tr of table.querySelectorAll('tbody tr')) {
      [...tr.children].forEach((td, i) => {
        if (names[i]) td.dataset.label = names[i];
        // a cell that shows nothing (an empty <small>) would leave its name
        // alone on the card: app.css hides it
        if (!td.textContent.trim() && !td.querySelector('button, a, input, select, img, svg, canvas, progress')) td.dataset.empty = '';
      });
    }
  }
  return node;
}
