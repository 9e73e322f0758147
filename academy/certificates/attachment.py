"""The signed credential embedded in the PDF as a file attachment, and read back out of it."""
import io

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

ATTACHMENT_NAME = "credential.jwt"
DESCRIPTION = "Open Badges 3.0 credential (VC-JWT) of this certificate"


def attach_credential(canvas, token):
    """Embed `token` in the canvas's document as the attached file credential.jwt.

    reportlab has no call for file attachments; these are the PDF objects (ISO 32000-1,
    7.11.4 embedded file streams) added to the catalogue's name tree.
    """
    doc = canvas._doc
    data = token.encode("ascii")
    stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile"),
                                      "Params": PDFDictionary({"Size": len(data)})}), data)
    spec = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(ATTACHMENT_NAME),
                          "UF": PDFString(ATTACHMENT_NAME), "Desc": PDFString(DESCRIPTION),
                          "EF": PDFDictionary({"F": doc.Reference(stream)})})
    tree = PDFDictionary({"Names": PDFArray([PDFString(ATTACHMENT_NAME), doc.Reference(spec)])})
    canvas.setCatalogEntry("Names", {"EmbeddedFiles": tree})


def extract_credential(pdf_bytes):
    """The VC-JWT attached to a certificate PDF, or None."""
    from pypdf import PdfReader  # only reading needs it: some 16 MiB a worker need not carry

    reader = PdfReader(io.BytesIO(pdf_bytes))
    for name, contents in reader.attachments.items():
        if name == ATTACHMENT_NAME and contents:
            return contents[0].decode("ascii", errors="replace").strip()
    return None
