// A message for the user on a page: "error" is announced at once (role=alert), the others politely (role=status).
/** @import { ComponentChildren } from "preact" */

/** @typedef {"error" | "info" | "success" | "warning"} NoticeKind */
/** @typedef {{kind: NoticeKind, text: string}} Message a page's message, shown in a Notice */

/** @param {{kind?: NoticeKind, children: ComponentChildren, id?: string}} props */
export function Notice({ kind = "info", children, id }) {
  return (
    <div id={id} class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
