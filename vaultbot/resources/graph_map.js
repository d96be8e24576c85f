/* vaultbot paper map: draws the graph exported by `vaultbot graph --format html`.
   Positions come precomputed from Python (stable between runs); Cytoscape.js draws,
   zooms and pans.  Everything here runs offline from this one file. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("vaultbot-data").textContent);
  var topicsById = {};
  data.topics.forEach(function (t) { topicsById[t.id] = t; });

  function elements() {
    var out = [];
    data.nodes.forEach(function (n, i) {
      var color = topicsById[n.topic].color;
      out.push({ group: "nodes", classes: "paper", data: { id: "n" + i, index: i, label: n.title,
        color: color, size: 12 + 5 * Math.sqrt(n.degree) }, position: { x: n.x, y: n.y } });
    });
    data.topics.forEach(function (t) {
      out.push({ group: "nodes", classes: "topic-label", selectable: false, grabbable: false,
        data: { id: "t" + t.id, label: t.label, color: t.color }, position: { x: t.x, y: t.y } });
    });
    data.edges.forEach(function (e, i) {
      out.push({ group: "edges", data: { id: "e" + i, source: "n" + e[0], target: "n" + e[1],
        width: 0.5 + 3 * e[2] } });
    });
    return out;
  }

  var big = data.nodes.length > 800;
  var cy = cytoscape({
    container: document.getElementById("map"),
    elements: elements(),
    layout: { name: "preset", fit: true, padding: 30 },
    minZoom: 0.02,
    maxZoom: 4,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    style: [
      { selector: "node", style: { "background-color": "data(color)", width: "data(size)",
        height: "data(size)", label: "data(label)", "font-size": 9, "text-wrap": "ellipsis",
        "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 3, color: "#24292f",
        "min-zoomed-font-size": 8 } },
      { selector: "node.topic-label", style: { "background-opacity": 0, width: 1, height: 1,
        "font-size": 22, "font-weight": "bold", color: "data(color)", "text-valign": "center",
        "text-wrap": "none",
        "min-zoomed-font-size": 4, events: "no", "text-outline-color": "#fff", "text-outline-width": 2 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#8c959f", opacity: 0.45,
        "curve-style": "haystack" } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: ".match", style: { "border-width": 3, "border-color": "#bf3989", "z-index": 10 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#0969da", "z-index": 20 } }
    ]
  });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function obsidianUrl(note) {
    if (!data.vault) { return null; }
    return "obsidian://open?vault=" + encodeURIComponent(data.vault) + "&file=" +
      encodeURIComponent(note.replace(/\.md$/i, ""));
  }

  function showDetails(i) {
    var n = data.nodes[i];
    var box = document.getElementById("details");
    box.textContent = "";
    box.appendChild(el("div", { "class": "title" }, n.title));
    var link = el("a", { href: n.url, target: "_blank", rel: "noopener" }, n.url);
    var p = el("p"); p.appendChild(link); box.appendChild(p);
    box.appendChild(el("p", { "class": "muted" }, "Topic: " + topicsById[n.topic].label));
    var tags = el("p");
    n.tags.forEach(function (t) { tags.appendChild(el("span", { "class": "tag" }, "#" + t)); });
    box.appendChild(tags);
    box.appendChild(el("h2", {}, "Notes"));
    var list = el("ul");
    n.notes.forEach(function (note) {
      var li = el("li"); var url = obsidianUrl(note);
      li.appendChild(url ? el("a", { href: url }, note) : el("span", {}, note));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function focus(i) {
    var node = cy.getElementById("n" + i);
    cy.elements().unselect();
    node.select();
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 300 });
    showDetails(i);
  }

  function search(query) {
    var q = query.trim().toLowerCase();
    var results = document.getElementById("results");
    results.textContent = "";
    cy.batch(function () {
      cy.elements().removeClass("faded match");
      if (!q) { return; }
      cy.elements().not(".topic-label").addClass("faded");
    });
    if (!q) { results.appendChild(el("li", { "class": "muted" }, "Type in the search box.")); return []; }
    var hits = [];
    data.nodes.forEach(function (n, i) {
      if (n.title.toLowerCase().indexOf(q) >= 0 || n.id.toLowerCase().indexOf(q) >= 0) { hits.push(i); }
    });
    cy.batch(function () {
      hits.forEach(function (i) { cy.getElementById("n" + i).removeClass("faded").addClass("match"); });
    });
    hits.slice(0, 50).forEach(function (i) {
      var li = el("li", { "data-index": String(i) }, data.nodes[i].title);
      li.addEventListener("click", function () { focus(i); });
      results.appendChild(li);
    });
    if (!hits.length) { results.appendChild(el("li", { "class": "muted" }, "No paper matches.")); }
    return hits.map(function (i) { return data.nodes[i].id; });
  }

  function legend() {
    var list = document.getElementById("legend");
    data.topics.forEach(function (t) {
      var li = el("li", { "data-topic": String(t.id) });
      li.appendChild(el("span", { "class": "swatch", style: "background:" + t.color }));
      li.appendChild(document.createTextNode(t.label + " (" + t.count + ")"));
      li.addEventListener("click", function () {
        cy.animate({ fit: { eles: cy.nodes(".paper").filter(function (n) {
          return data.nodes[n.data("index")].topic === t.id; }), padding: 40 } }, { duration: 300 });
      });
      list.appendChild(li);
    });
  }

  document.getElementById("map-title").textContent = data.title;
  document.getElementById("summary").textContent = data.summary;
  var input = document.getElementById("search");
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var first = document.querySelector("#results li[data-index]");
      if (first) { focus(Number(first.getAttribute("data-index"))); } }
  });
  cy.on("tap", "node.paper", function (ev) { focus(ev.target.data("index")); });
  legend();
  window.vaultbotMap = { cy: cy, data: data, search: search, focus: focus };
})();
