(root) => {
  const parts = [];
  const shown = (node) => {
    let element = node.parentElement;
    while (element && element.localName === "slot") element = element.parentElement || element.getRootNode().host;
    if (!element || !element.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    return [...range.getClientRects()].some((rect) => rect.width > 0 && rect.height > 0);
  };
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        if (child.textContent.trim() && shown(child)) parts.push(child.textContent.trim());
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.shadowRoot) walk(child.shadowRoot);
        walk(child);
      }
    }
  };
  if (root.shadowRoot) walk(root.shadowRoot);
  walk(root);
  return parts.join("\n");
}
