// Panel behaviour beyond htmx: drag-and-drop upload with a progress bar per file (XHR upload
// progress), and the CSRF header on every XHR. No inline script anywhere (the CSP forbids it).
"use strict";

(function () {
  function csrfToken(form) {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function statusRow(list, name) {
    var row = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", name);
    var note = document.createElement("span");
    note.className = "note";
    row.append(label, bar, note);
    list.append(row);
    return { row: row, bar: bar, note: note };
  }

  function refreshGrid(form) {
    if (window.htmx) {
      window.htmx.ajax("GET", form.dataset.grid, { target: "#media-grid", swap: "innerHTML" });
    }
  }

  function uploadOne(form, file) {
    var list = form.querySelector("#upload-status");
    var ui = statusRow(list, file.name);
    var data = new FormData();
    data.append("file", file);
    data.append("category", form.querySelector("select[name=category]").value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken(form));
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        ui.bar.value = Math.round((100 * event.loaded) / event.total);
      }
    });
    xhr.addEventListener("load", function () {
      var detail = "";
      try {
        detail = JSON.parse(xhr.responseText).detail || "";
      } catch (e) {
        detail = xhr.statusText;
      }
      if (xhr.status === 201) {
        ui.bar.value = 100;
        ui.row.className = "ok";
        ui.note.textContent = form.dataset.done;
        refreshGrid(form);
      } else {
        ui.row.className = "error";
        ui.row.setAttribute("role", "alert");
        ui.note.textContent = form.dataset.errorPrefix + ": " + detail;
      }
    });
    xhr.addEventListener("error", function () {
      ui.row.className = "error";
      ui.note.textContent = form.dataset.errorPrefix;
    });
    xhr.send(data);
  }

  function setUpUpload(form) {
    var zone = form.querySelector("#dropzone");
    var input = form.querySelector("input[type=file]");
    function take(files) {
      Array.prototype.forEach.call(files, function (file) { uploadOne(form, file); });
    }
    input.addEventListener("change", function () { take(input.files); input.value = ""; });
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      take(event.dataTransfer.files);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); take(input.files); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload");
    if (form) { setUpUpload(form); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
