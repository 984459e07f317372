// The app header: the school's name (a picker when the user has several), and links for school leaders.

import { $, h } from "../dom.js";
import * as session from "../session.js";

const LEADERS = new Set(["principal", "district_admin"]);

export function renderHeader() {
  const schools = session.state.bootstrap?.schools || [];
  const current = session.school();
  const name = $("#school-name");
  const picker = $("#school-picker");
  name.textContent = current ? current.name : "Hallway Pulse";
  picker.hidden = schools.length < 2;
  name.classList.toggle("visually-hidden", schools.length >= 2);
  if (schools.length >= 2) {
    picker.replaceChildren(...schools.map((s) => h("option", { value: String(s.id) }, s.name)));
    picker.value = String(current?.id ?? "");
    picker.onchange = () => session.chooseSchool(Number(picker.value));
  }
  const links = $("#topbar-links");
  // A district admin's dashboard is the district view (every school side by side, each one click away).
  const dashboard = current?.role === "district_admin"
    ? h("a", { class: "topbar__link", href: "/start", "aria-label": "District view" }, "District")
    : h("a", { class: "topbar__link", href: `/schools/${current?.id}/dashboard` }, "Dashboard");
  links.replaceChildren(...(current && LEADERS.has(current.role)
    ? [dashboard,
       h("a", { class: "topbar__link", href: `/schools/${current.id}`, "aria-label": "School settings" }, "Settings")]
    : []));
}
