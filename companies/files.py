"""Knowledge base files are downloaded by all staff, who read the knowledge base."""

from companies.models import KnowledgeFile
from companies.selectors import knowledge_file_list
from crm.files import downloads

downloads.register("knowledge", KnowledgeFile, visible_to=knowledge_file_list, download_name=lambda row: row.name)
