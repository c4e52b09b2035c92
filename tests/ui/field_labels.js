// The label the frontend computes for every field of every form on the page, shadow roots included.
// A field without a translation gets its raw name as label (or none): the test fails on those.
() => {
  const fields = [];
  const walk = (root) => {
    for (const element of root.querySelectorAll("*")) {
      if (element.localName === "ha-form" && Array.isArray(element.schema)) {
        for (const field of element.schema) {
          if (!field.name) continue;
          const label = element.computeLabel ? element.computeLabel(field, element.data) : null;
          fields.push({ name: field.name, label: label ?? null });
        }
      }
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document);
  return fields;
}
