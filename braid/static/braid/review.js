// Keyboard shortcuts of the review queue (linkage/review/list.html).
//
// j or Down and k or Up move between pairs; s, d and x answer the current
// pair (same child, not the same, skip) and move on; Enter saves the page.
// Left and Right still move between a pair's radio buttons, as browsers do.
// Without this script the page is plain radio buttons and a button.
(function () {
  "use strict";

  var form = document.querySelector("[data-review-form]");
  if (!form) {
    return;
  }
  var pairs = Array.prototype.slice.call(form.querySelectorAll("[data-pair]"));
  var status = form.querySelector("[data-review-status]");
  var current = -1;

  function typingIn(target) {
    if (target.isContentEditable) {
      return true;
    }
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") {
      return true;
    }
    return target.tagName === "INPUT" && target.type !== "radio";
  }

  function mark(index) {
    pairs.forEach(function (pair, n) {
      pair.classList.toggle("current", n === index);
    });
    current = index;
  }

  function go(index) {
    if (index < 0 || index >= pairs.length) {
      return;
    }
    mark(index);
    pairs[index].focus();
  }

  // The label's own words, without the key shown beside them: cutting the
  // key's letter out of the text would take it from the first word that has
  // it ("Not the same chil d").
  function labelText(label) {
    var copy = label.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("kbd"), function (kbd) {
      kbd.remove();
    });
    return copy.textContent.trim();
  }

  function answer(key) {
    var index = current < 0 ? 0 : current;
    var choice = pairs[index].querySelector('input[data-key="' + key + '"]');
    if (!choice) {
      return;
    }
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    if (status) {
      var heading = pairs[index].querySelector("h2");
      var label = form.querySelector('label[for="' + choice.id + '"]');
      status.textContent =
        (heading ? heading.textContent.trim() + ": " : "") +
        (label ? labelText(label) : "");
    }
    if (index + 1 < pairs.length) {
      go(index + 1);
    } else {
      mark(index);
      form.querySelector('button[type="submit"]').focus();
    }
  }

  form.addEventListener("focusin", function (event) {
    var pair = event.target.closest("[data-pair]");
    if (pair) {
      mark(pairs.indexOf(pair));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    if (typingIn(event.target)) {
      return;
    }
    // Another form's controls (the search, the language) keep their keys.
    var inForm = form.contains(event.target);
    if (!inForm && event.target.closest("form")) {
      return;
    }
    switch (event.key) {
      case "j":
      case "ArrowDown":
        go(current + 1);
        break;
      case "k":
      case "ArrowUp":
        go(current < 0 ? 0 : current - 1);
        break;
      case "s":
      case "d":
      case "x":
        answer(event.key);
        break;
      case "Enter":
        // A focused button, link or summary does what it says.
        if (!inForm && event.target !== document.body) {
          return;
        }
        if (["BUTTON", "A", "SUMMARY"].indexOf(event.target.tagName) >= 0) {
          return;
        }
        form.requestSubmit();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
