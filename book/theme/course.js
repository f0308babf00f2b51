// Deploy Workbook as a course: instructor mode, the presenter view, and the
// learner's progress on lab pages.
//
// `workbook serve` writes workbook-session.json next to the pages (see
// crates/workbook/src/served.rs); this script fetches it on every page:
//
//   { "instructor": true }   speaker notes shown and opened, and a
//                            "Presenter view" button in the menu bar.
//
// Without that file (the book opened as files, or served by something else)
// the page is a learner's page: speaker notes stay hidden (workbook.css).
// `?instructor` in the address turns instructor mode on by hand.
//
// The presenter view is this same page with `?presenter`: only the title,
// the timing line, the speaker notes and a timer. It follows the main
// window: every instructor page announces its path on a BroadcastChannel,
// and the presenter window goes there. The timer's start is kept in
// localStorage, so it survives page changes; "Restart" sets it to now.
//
// Lab pages show the learner's grade: `serve` and every `check` write
// workbook-progress.json (crates/workbook/src/served.rs), one entry per lab
// with its page, its last grade, a one-line headline and the commands to
// run next. The box goes right under the lab's heading (the heading whose
// id starts with "lab-N"), and is fetched again every few seconds, so a
// `workbook watch` in a terminal updates the page as the learner saves.
//
// When done, <html data-workbook="learner|instructor|presenter"> tells
// tests (and curious readers) which mode the page settled in.
(function () {
    "use strict";

    const html = document.documentElement;
    const root = typeof path_to_root === "string" ? path_to_root : "";
    const params = new URLSearchParams(window.location.search);
    const channel = "BroadcastChannel" in window ? new BroadcastChannel("workbook-presenter") : null;
    const TIMER_KEY = "workbook-presenter-start";

    function openNotes() {
        for (const details of document.querySelectorAll("details.speaker-notes")) {
            details.open = true;
        }
    }

    function presenterButton() {
        const bar = document.querySelector(".right-buttons") || document.querySelector("#menu-bar");
        if (!bar || document.getElementById("workbook-presenter-button")) {
            return;
        }
        const button = document.createElement("button");
        button.id = "workbook-presenter-button";
        button.type = "button";
        button.className = "icon-button workbook-presenter-button";
        button.title = "Open the presenter view: notes and a timer in a second window";
        button.textContent = "Presenter view";
        button.addEventListener("click", () => {
            window.open(window.location.pathname + "?presenter", "workbook-presenter",
                "popup,width=760,height=820");
        });
        bar.prepend(button);
    }

    function instructor() {
        html.classList.add("workbook-instructor");
        openNotes();
        presenterButton();
        if (channel) {
            channel.postMessage({ path: window.location.pathname });
        }
        html.dataset.workbook = "instructor";
    }

    function clock(ms) {
        const total = Math.max(0, Math.floor(ms / 1000));
        const minutes = Math.floor(total / 60);
        const seconds = String(total % 60).padStart(2, "0");
        return minutes + ":" + seconds;
    }

    function presenter() {
        html.classList.add("workbook-instructor", "workbook-presenter");
        openNotes();
        if (!localStorage.getItem(TIMER_KEY)) {
            localStorage.setItem(TIMER_KEY, String(Date.now()));
        }
        const bar = document.createElement("div");
        bar.className = "workbook-presenter-bar";
        const time = document.createElement("span");
        time.className = "workbook-timer";
        const restart = document.createElement("button");
        restart.type = "button";
        restart.textContent = "Restart timer";
        restart.addEventListener("click", () => {
            localStorage.setItem(TIMER_KEY, String(Date.now()));
            tick();
        });
        bar.append("Elapsed ", time, " ", restart);
        const main = document.querySelector("main");
        if (main) {
            main.prepend(bar);
            if (!main.querySelector("details.speaker-notes")) {
                const none = document.createElement("p");
                none.className = "workbook-no-notes";
                none.textContent = "No speaker notes on this page.";
                main.append(none);
            }
        }
        function tick() {
            time.textContent = clock(Date.now() - Number(localStorage.getItem(TIMER_KEY)));
        }
        tick();
        window.setInterval(tick, 1000);
        if (channel) {
            channel.addEventListener("message", (event) => {
                const path = event.data && event.data.path;
                if (typeof path === "string" && path.startsWith("/") && path !== window.location.pathname) {
                    window.location.assign(path + "?presenter");
                }
            });
        }
        html.dataset.workbook = "presenter";
    }

    async function served(file) {
        try {
            const answer = await fetch(root + file, { cache: "no-store" });
            return answer.ok ? await answer.json() : {};
        } catch (error) {
            return {};
        }
    }

    // This page's file name, as the progress file names pages.
    function pageName() {
        const path = window.location.pathname;
        const name = path.substring(path.lastIndexOf("/") + 1);
        return name === "" ? "index.html" : name;
    }

    function gradeBox(lab) {
        const box = document.createElement("div");
        box.className = "workbook-grade";
        box.id = "workbook-grade-" + lab.number;
        const outcome = lab.grade ? lab.grade.outcome : "not-graded";
        box.dataset.outcome = outcome;
        const title = document.createElement("p");
        const strong = document.createElement("strong");
        strong.textContent = "Your lab " + lab.number + ": ";
        title.append(strong, lab.headline);
        box.append(title);
        if (lab.grade) {
            const when = document.createElement("p");
            when.className = "workbook-grade-when";
            when.textContent = "Last checked " + new Date(lab.grade.at * 1000).toLocaleString() + ".";
            box.append(when);
        }
        if (lab.next.length > 0) {
            const next = document.createElement("p");
            next.textContent = "Next:";
            const list = document.createElement("ul");
            for (const command of lab.next) {
                const item = document.createElement("li");
                const code = document.createElement("code");
                code.textContent = command;
                item.append(code);
                list.append(item);
            }
            box.append(next, list);
        }
        return box;
    }

    function showGrades(progress) {
        const labs = Array.isArray(progress.labs) ? progress.labs : [];
        let shown = 0;
        for (const lab of labs) {
            if (lab.page !== pageName()) {
                continue;
            }
            // `lab-1` or `lab-1-…`, never `lab-10-…`.
            const id = "lab-" + lab.number;
            const heading = Array.from(document.querySelectorAll("main h1[id], main h2[id]"))
                .find((h) => h.id === id || h.id.startsWith(id + "-"));
            if (!heading) {
                continue;
            }
            shown += 1;
            // Redrawn only when the grade changed, so a reader's selection
            // (a command being copied) survives the polling.
            const seen = JSON.stringify(lab);
            const old = document.getElementById("workbook-grade-" + lab.number);
            if (old && old.dataset.seen === seen) {
                continue;
            }
            const box = gradeBox(lab);
            box.dataset.seen = seen;
            if (old) {
                old.replaceWith(box);
            } else {
                heading.after(box);
            }
        }
        return shown;
    }

    async function grades() {
        if (showGrades(await served("workbook-progress.json")) > 0) {
            window.setInterval(async () => showGrades(await served("workbook-progress.json")), 4000);
        }
    }

    async function start() {
        if (params.has("presenter")) {
            presenter();
            return;
        }
        const session = await served("workbook-session.json");
        await grades();
        if (session.instructor === true || params.has("instructor")) {
            instructor();
        } else {
            html.dataset.workbook = "learner";
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
