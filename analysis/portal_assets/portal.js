// Client-side search of the portal: no library, no network. The page carries its search data as JSON
// (the JSON script element "portal-data"); each entry's "f" is its text folded by the same
// rule as fold() below (analysis.portal.fold), so "ben tre", "BẾN TRE" and "Bến Tre" find the same.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  var data = JSON.parse(document.getElementById("portal-data").textContent);
  var base = document.body.getAttribute("data-base") || "";
  var box = document.getElementById("search");
  var list = document.getElementById("search-results");
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  var MAX_RESULTS = 15;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[\u0111\u0110]/g, "d")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  function matches(folded, tokens) {
    var padded = " " + folded + " ";
    for (var i = 0; i < tokens.length; i++) {
      if (padded.indexOf(" " + tokens[i]) < 0) { return false; }  // every word of the query starts a word
    }
    return true;
  }

  function item(entry) {
    var li = document.createElement("li");
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = data.kinds[entry.k] || entry.k;
    var link = document.createElement("a");
    link.href = base + entry.h;
    link.textContent = entry.t;
    li.appendChild(kind);
    li.appendChild(link);
    if (entry.d) {
      var detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = entry.d;
      li.appendChild(detail);
    }
    return li;
  }

  function search(query) {
    var tokens = fold(query).split(" ").filter(Boolean);
    list.textContent = "";
    cards.forEach(function (card) {
      card.hidden = tokens.length > 0 && !matches(card.getAttribute("data-search"), tokens);
    });
    if (!tokens.length) { return; }
    var found = data.entries.filter(function (e) { return matches(e.f, tokens); }).slice(0, MAX_RESULTS);
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = data.none;
      list.appendChild(none);
      return;
    }
    found.forEach(function (e) { list.appendChild(item(e)); });
  }

  box.addEventListener("input", function () { search(box.value); });
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    box.value = asked;
    search(asked);
  }
})();
